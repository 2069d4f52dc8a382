package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ipa.compression.CodecPolicy;
import dev.ipa.compression.CodecSpec;
import dev.ipa.compression.SnapshotEncoder;
import dev.ipa.compression.TensorLayout;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.compression.CorruptSnapshotException;
import dev.ipa.compression.SnapshotDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

  @Test
  void aSlowDecodeDoesNotBlockReadersAndItsArrivalCountsOnlyOnceInstalled() throws Exception {
    CountDownLatch decoding = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    SnapshotDecoding slow = (receiver, snapshot) -> {
      float[] v = this.decoding.decode(receiver, snapshot);
      if (snapshot.round() == 1) {
        decoding.countDown();
        try {
          if (!finish.await(30, TimeUnit.SECONDS)) throw new AssertionError("the test never let the decode finish");
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
      return v;
    };
    PeerViews slowViews = new PeerViews("a", slow);
    slowViews.accept(publish(0, 1f, 2f, 3f));
    PeerSnapshot next = publish(1, 4f, 5f, 6f);
    CompletableFuture<PeerViews.Accepted> accepted = CompletableFuture.supplyAsync(() -> slowViews.accept(next));
    assertThat(decoding.await(30, TimeUnit.SECONDS)).isTrue();
    // Were the views lock held while decoding, these would wait for a decode that waits for this thread.
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      assertThat(slowViews.asOf(List.of("b"), 1, 0)).singleElement().satisfies(v -> assertThat(v.params()).containsExactly(1f, 2f, 3f));
      assertThat(slowViews.await(List.of("b"), 1, 0, Duration.ofMillis(1))).singleElement()
          .satisfies(f -> assertThat(f.peer()).isEqualTo("b"));
    });
    finish.countDown();
    assertThat(accepted.get(30, TimeUnit.SECONDS)).isEqualTo(PeerViews.Accepted.APPLIED);
    assertThat(slowViews.await(List.of("b"), 1, 0, Duration.ofMillis(1))).isEmpty();
    assertThat(slowViews.asOf(List.of("b"), 1, 0)).singleElement().satisfies(v -> {
      assertThat(v.params()).containsExactly(4f, 5f, 6f);
      assertThat(v.previous().params()).containsExactly(1f, 2f, 3f);
    });
  }

  @Test
  void aDeltaAfterAGapIsNotDecodedAndAsksForAResync() throws Exception {
    SnapshotEncoder signEncoder = new SnapshotEncoder(layout, CodecPolicy.of(CodecSpec.parse("sign")));
    PeerSnapshot full = new PeerSnapshot("b", 0, 0, 1, 10, signEncoder.encode(new float[] {1f, 2f, 3f}, 0).bytes());
    signEncoder.encode(new float[] {2f, 1f, 4f}, 1); // lost
    PeerSnapshot afterGap = new PeerSnapshot("b", 2, 0, 3, 10, signEncoder.encode(new float[] {3f, 0f, 5f}, 2).bytes());
    assertThat(views.accept(full)).isEqualTo(PeerViews.Accepted.APPLIED);
    assertThat(views.accept(afterGap)).isEqualTo(PeerViews.Accepted.NEEDS_RESYNC);
    assertThat(views.asOf(List.of("b"), 2, 0)).singleElement().satisfies(v -> assertThat(v.params()).containsExactly(1f, 2f, 3f));
    // The refused delta still counts as b having reached the exchange: nobody waits for it any longer.
    assertThat(views.await(List.of("b"), 2, 0, Duration.ofMillis(1))).isEmpty();
    assertThat(views.accept(new PeerSnapshot("b", 2, 0, 4, 10, new byte[] {1, 2, 3}))).isEqualTo(PeerViews.Accepted.CORRUPT);
  }

  @Test
  void sharedDecodingHandsOverTheEncodersViewBitForBitAndNeverAnArrayTheEncoderWritesAgain() throws Exception {
    SnapshotEncoder signEncoder = new SnapshotEncoder(layout, new CodecPolicy(CodecSpec.parse("sign"), 0, CodecSpec.parse("sign"), CodecSpec.NONE, 0));
    SnapshotDecoding shared = SnapshotDecoding.shared(layout);
    SnapshotDecoder reference = new SnapshotDecoder(layout);
    float[][] thetas = {{1f, 2f, 3f}, {2f, 1f, 4f}, {-1f, 0.5f, 2f}};
    float[][] handedOver = new float[thetas.length][];
    for (int r = 0; r < thetas.length; r++) {
      PeerSnapshot s = new PeerSnapshot("b", r, 0, r + 1, 10, signEncoder.encode(thetas[r], r).bytes());
      shared.onPublished(s, signEncoder::receiversView);
      reference.apply(s.payload());
      handedOver[r] = shared.decode("a", s);
      assertThat(shared.decode("c", s)).isSameAs(handedOver[r]);
      for (int i = 0; i < 3; i++) {
        assertThat(Float.floatToRawIntBits(handedOver[r][i])).isEqualTo(Float.floatToRawIntBits(reference.view()[i]));
      }
    }
    assertThat(handedOver[0]).containsExactly(1f, 2f, 3f);
    assertThat(handedOver[1]).isNotEqualTo(handedOver[0]);
  }

  @Test
  void sharedDecodingLetsAPublicationGoOnceEachOfItsReceiversTookItAndTheEncoderNeverWritesItAgain() throws Exception {
    SnapshotEncoder signEncoder = new SnapshotEncoder(layout, new CodecPolicy(CodecSpec.parse("sign"), 0, CodecSpec.parse("sign"), CodecSpec.NONE, 0));
    SnapshotDecoding shared = SnapshotDecoding.shared(layout);
    PeerSnapshot first = new PeerSnapshot("b", 0, 0, 1, 10, signEncoder.encode(new float[] {1f, 2f, 3f}, 0).bytes());
    shared.onPublished(first, 2, signEncoder::publishedView);
    float[] view = shared.decode("a", first);
    float[] copy = view.clone();
    assertThat(shared.decode("c", first)).isSameAs(view);
    // Both receivers took it: a third decode of the same publication finds nothing held.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> shared.decode("d", first)).isInstanceOf(CorruptSnapshotException.class);
    // The next delta goes into a new array: what the receivers hold stays as it was.
    signEncoder.encode(new float[] {2f, 1f, 4f}, 1);
    assertThat(signEncoder.publishedView()).isNotSameAs(view);
    assertThat(view).containsExactly(copy);
  }

  @Test
  void retainOnlyForgetsTheViewsOfPeersOutsideTheTopologyButNotThatTheyArrived() throws Exception {
    views.accept(publish(0, 1f, 2f, 3f));
    views.retainOnly(java.util.Set.of("c"));
    assertThat(views.all()).isEmpty();
    assertThat(views.await(List.of("b"), 0, 0, Duration.ofMillis(1))).isEmpty();
    views.accept(publish(1, 4f, 5f, 6f)); // a full fp32 snapshot re-creates the view
    views.retainOnly(java.util.Set.of("b"));
    assertThat(views.asOf(List.of("b"), 1, 0)).singleElement().satisfies(v -> assertThat(v.params()).containsExactly(4f, 5f, 6f));
  }

  @Test
  void sharedDecodingRefusesAViewThatIsNotWhatTheBytesSay() throws Exception {
    SnapshotDecoding shared = SnapshotDecoding.shared(layout);
    PeerSnapshot s = publish(0, 1f, 2f, 3f);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> shared.onPublished(s, () -> new float[] {1f, 2f, 4f}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("out of step");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> shared.decode("a", s)).isInstanceOf(CorruptSnapshotException.class);
  }
}
