package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.compression.SnapshotEncoder;
import dev.ipa.compression.TensorLayout;
import dev.ipa.transport.PeerSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which snapshot a peer aligns to at a given exchange. */
class PeerViewsTest {
  final TensorLayout layout = TensorLayout.builder().add("w", 3).build();
  final SnapshotEncoder encoder = new SnapshotEncoder(layout, FederationSettings.fp32());
  final PeerViews views = new PeerViews("a", SnapshotDecoding.privateDecoders(layout));
  long sequence;

  PeerSnapshot publish(int round, float... theta) throws Exception {
    return new PeerSnapshot("b", round, 0, ++sequence, 10, encoder.encode(theta, round).bytes());
  }

  @Test
  void beforeTheFirstExchangeThereIsNothingToAlignToEvenIfANeighbourPublishedEarly() throws Exception {
    assertThat(views.accept(publish(0, 1f, 2f, 3f))).isEqualTo(PeerViews.Accepted.APPLIED);
    // A peer that starts round 0 late must not align to its neighbour's round-0 snapshot.
    assertThat(views.asOf(List.of("b"), -1, 0)).isEmpty();
    assertThat(views.asOf(List.of("b"), 0, 0)).singleElement().satisfies(v -> assertThat(v.params()).containsExactly(1f, 2f, 3f));
  }

  @Test
  void aFasterNeighboursNextSnapshotDoesNotReplaceTheOneOfTheExchange() throws Exception {
    views.accept(publish(0, 1f, 2f, 3f));
    views.accept(publish(1, 4f, 5f, 6f));
    assertThat(views.asOf(List.of("b"), 0, 0)).singleElement().satisfies(v -> assertThat(v.params()).containsExactly(1f, 2f, 3f));
    assertThat(views.asOf(List.of("b"), 1, 0)).singleElement().satisfies(v -> assertThat(v.params()).containsExactly(4f, 5f, 6f));
  }
}
