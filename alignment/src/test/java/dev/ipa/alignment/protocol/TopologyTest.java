package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Who hears from whom: a peer's incoming set is exactly the peers whose outgoing set names it. */
class TopologyTest {
  private static List<String> peers(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add(String.format("peer%02d", i));
    return ids;
  }

  private static Set<String> sendersTo(Topology t, String self, List<String> peers, int round, long seed) {
    Set<String> in = new TreeSet<>();
    for (String p : peers) if (!p.equals(self) && t.outgoing(p, peers, round, seed).contains(self)) in.add(p);
    return in;
  }

  @Test
  void randomKDrawsKNeighboursPerRoundAndEveryIncomingSetMatchesTheOutgoingSets() {
    List<String> ids = peers(30);
    Topology t = Topology.parse("random:4");
    for (int round = 0; round < 3; round++) {
      int edges = 0;
      for (String p : ids) {
        Set<String> out = t.outgoing(p, ids, round, 7);
        assertThat(out).hasSize(4).doesNotContain(p);
        assertThat(t.incoming(p, ids, round, 7)).as("round %d, %s", round, p).isEqualTo(sendersTo(t, p, ids, round, 7));
        edges += t.incoming(p, ids, round, 7).size();
      }
      assertThat(edges).isEqualTo(30 * 4);
    }
    // A new round draws a new graph; the same round (from a new instance, too) the same one.
    assertThat(t.outgoing("peer00", ids, 0, 7)).isEqualTo(Topology.parse("random:4").outgoing("peer00", ids, 0, 7));
    assertThat(List.of(0, 1, 2, 3).stream().map(r -> t.outgoing("peer00", ids, r, 7)).distinct().count()).isGreaterThan(1);
  }

  @Test
  void aRingHearsFromBothNeighboursAndFullMeshFromEveryone() {
    for (int n : new int[] {1, 2, 3, 7}) {
      List<String> ids = peers(n);
      for (String p : ids) {
        for (Topology t : List.of(Topology.parse("ring"), Topology.parse("full"))) {
          assertThat(t.incoming(p, ids, 0, 0)).as("%s, %d peers, %s", t, n, p).isEqualTo(sendersTo(t, p, ids, 0, 0));
        }
      }
    }
  }
}
