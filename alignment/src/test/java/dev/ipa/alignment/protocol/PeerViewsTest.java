package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.compression.CodecPolicy;
import dev.ipa.compression.CodecSpec;
import dev.ipa.compression.SnapshotEncoder;
import dev.ipa.compression.TensorLayout;
import dev.ipa.transport.PeerSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which snapshot a peer aligns to at a given exchange. */
class PeerViewsTest {
  final TensorLayout layout = TensorLayout.builder().add("w", 3).build();
  final SnapshotEncoder encoder = new SnapshotEncoder(layout, FederationSettings.fp32());
  final SnapshotDecoding decoding = SnapshotDecoding.privateDecoders(layout);
  final PeerViews views = new PeerViews("a", decoding);
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

  @Test
  void receiversSharingOnePrivateDecodingEachKeepTheirOwnStream() throws Exception {
    // A simulation over sockets gives every peer in the process the same instance: a and c both receive b's
    // stream, and each must apply the full snapshot and then the delta on its own base.
    SnapshotEncoder signEncoder = new SnapshotEncoder(layout, CodecPolicy.of(CodecSpec.parse("sign")));
    PeerViews other = new PeerViews("c", decoding);
    PeerSnapshot full = new PeerSnapshot("b", 0, 0, 1, 10, signEncoder.encode(new float[] {1f, 2f, 3f}, 0).bytes());
    PeerSnapshot delta = new PeerSnapshot("b", 1, 0, 2, 10, signEncoder.encode(new float[] {2f, 1f, 4f}, 1).bytes());
    for (PeerViews v : List.of(views, other)) assertThat(v.accept(full)).isEqualTo(PeerViews.Accepted.APPLIED);
    for (PeerViews v : List.of(views, other)) assertThat(v.accept(delta)).isEqualTo(PeerViews.Accepted.APPLIED);
    assertThat(views.asOf(List.of("b"), 1, 0).get(0).params()).containsExactly(other.asOf(List.of("b"), 1, 0).get(0).params());
  }
}
