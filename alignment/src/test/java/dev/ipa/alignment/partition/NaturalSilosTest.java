package dev.ipa.alignment.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NaturalSilosTest {
  @Test
  void everyRowLandsInExactlyOnePeerNamedByItsValue() {
    Random r = new Random(3);
    String[] hospitals = {"north", "east", "south", "west", "central"};
    int n = 1003;
    String[] valueOf = new String[n];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      valueOf[i] = hospitals[r.nextInt(hospitals.length)];
      labels[i] = r.nextInt(3);
    }
    Partitioner.NaturalSilos s = Partitioner.natural("hospital", valueOf, labels, 3, 7, 0.1, 0);
    assertThat(s.values()).containsExactly("central", "east", "north", "south", "west");
    int[] seen = new int[n];
    for (int p = 0; p < s.shards().size(); p++) {
      Shard sh = s.shards().get(p);
      for (int i : IntStream.concat(IntStream.of(sh.train()), IntStream.of(sh.validation())).toArray()) {
        seen[i]++;
        assertThat(valueOf[i]).isEqualTo(s.values().get(p));
      }
      assertThat(sh.validation().length).isEqualTo(Math.round(0.1 * sh.size()));
    }
    assertThat(seen).containsOnly(1);
  }

  @Test
  void aRowWithoutAValueIsRefused() {
    assertThatThrownBy(() -> Partitioner.natural("site", new String[] {"a", null, "b"}, new int[] {0, 1, 0}, 2, 0, 0, 0))
        .hasMessage("Training row 2 has no value in the partition column site, so it belongs to no peer; fill the column in or drop those rows.");
  }

  @Test
  void byColumnParsesKeepingTheColumnsCase() {
    assertThat(PartitionSpec.parse("by:Hospital_ID")).isEqualTo(new PartitionSpec.ByColumn("Hospital_ID"));
    assertThat(PartitionSpec.parse("by:Hospital_ID").toString()).isEqualTo("by:Hospital_ID");
  }
}
