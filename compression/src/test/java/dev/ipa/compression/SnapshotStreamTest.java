package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SnapshotStreamTest {
  static final TensorLayout LAYOUT = TensorLayout.builder()
      .add("fc1.weight", 40, 100)
      .add("fc1.bias", 40)
      .add("fc2.weight", 10, 40)
      .add("fc2.bias", 10)
      .build();

  static CodecPolicy policy(String codec) {
    return new CodecPolicy(CodecSpec.parse(codec), 1000, CodecSpec.FP16, CodecSpec.NONE, 0);
  }

  static float[] theta(long seed) {
    return Samples.gaussian(LAYOUT.totalLength(), seed, 0.1);
  }

  static void assertSameBits(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    for (int i = 0; i < a.length; i++) {
      assertThat(Float.floatToRawIntBits(a[i])).as("bits at %d", i).isEqualTo(Float.floatToRawIntBits(b[i]));
    }
  }

  @ParameterizedTest
  @CsvSource({"none", "fp16", "int8", "sign", "sign:64", "tile:8", "topk:0.05"})
  void receiverViewEqualsSenderViewBitForBitEveryRound(String codec) {
    var encoder = new SnapshotEncoder(LAYOUT, policy(codec));
    var decoder = new SnapshotDecoder(LAYOUT);
    List<SnapshotKind> kinds = new ArrayList<>();
    for (int round = 0; round < 6; round++) {
      EncodedSnapshot message = encoder.encode(theta(round), round);
      kinds.add(message.kind());
      decoder.apply(message.bytes());
      assertSameBits(decoder.view(), encoder.receiversView());
      assertThat(decoder.version()).isEqualTo(encoder.version()).isEqualTo(message.version())
          .isEqualTo(ViewHash.of(decoder.view()));
      assertThat(decoder.round()).isEqualTo(round);
    }
    assertThat(kinds).containsExactly(SnapshotKind.FULL, SnapshotKind.DELTA, SnapshotKind.DELTA, SnapshotKind.DELTA,
        SnapshotKind.DELTA, SnapshotKind.DELTA);
  }

  /**
   * The error-feedback contract a simulation relies on when it hands receivers the encoder's view instead of
   * decoding the bytes again: after every message, full or delta, the encoder's r is bit for bit what decoding
   * that message gives, for every codec as the delta codec of large and small tensors and both full-snapshot
   * codecs, across periodic resyncs.
   */
  @ParameterizedTest
  @CsvSource({"none,none", "none,fp16", "fp16,none", "fp16,fp16", "int8,none", "int8:256,fp16", "sign,none",
      "sign,fp16", "sign:64,none", "tile:1,none", "tile:8,fp16", "topk:0.05,none", "topk:0.5,fp16"})
  void theEncodersViewIsWhatDecodingGivesForEveryCodec(String codec, String full) {
    CodecSpec spec = CodecSpec.parse(codec);
    var encoder = new SnapshotEncoder(LAYOUT, new CodecPolicy(spec, 1000, spec, CodecSpec.parse(full), 3));
    var decoder = new SnapshotDecoder(LAYOUT);
    List<SnapshotKind> kinds = new ArrayList<>();
    for (int round = 0; round < 7; round++) {
      EncodedSnapshot message = encoder.encode(theta(round), round);
      kinds.add(message.kind());
      decoder.apply(message.bytes());
      assertSameBits(encoder.receiversView(), decoder.view());
      assertThat(ViewHash.of(encoder.receiversView())).isEqualTo(message.version());
    }
    assertThat(kinds).containsExactly(SnapshotKind.FULL, SnapshotKind.DELTA, SnapshotKind.DELTA, SnapshotKind.FULL,
        SnapshotKind.DELTA, SnapshotKind.DELTA, SnapshotKind.FULL);
  }

  @Test
  void firstFullSnapshotInFp32IsExactAndFp16IsRounded() {
    float[] theta = theta(1);
    var exact = new SnapshotEncoder(LAYOUT, policy("sign"));
    exact.encode(theta, 0);
    assertSameBits(exact.receiversView(), theta);

    var half = new SnapshotEncoder(LAYOUT, new CodecPolicy(CodecSpec.SIGN, 0, CodecSpec.SIGN, CodecSpec.FP16, 0));
    EncodedSnapshot message = half.encode(theta, 0);
    assertThat(message.bytes()).hasSize(48 + 13 * 4 + 2 * LAYOUT.totalLength());
    float[] view = half.receiversView();
    for (int i = 0; i < theta.length; i++) {
      assertThat(view[i]).isEqualTo(Fp16Codec.halfToFloat(Fp16Codec.floatToHalf(theta[i])));
    }
  }

  @Test
  void byteAccountingIsExactAndSmallTensorsFallBack() {
    var encoder = new SnapshotEncoder(LAYOUT, new CodecPolicy(CodecSpec.tile(8), 1000, CodecSpec.SIGN,
        CodecSpec.NONE, 0));
    encoder.encode(theta(0), 0);
    EncodedSnapshot delta = encoder.encode(theta(1), 1);
    assertThat(delta.tensors()).extracting(TensorReport::name)
        .containsExactly("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    assertThat(delta.tensors()).extracting(r -> r.codec().toString()).containsExactly("tile:8", "sign", "sign",
        "sign");
    assertThat(delta.tensors()).extracting(TensorReport::bytes)
        .containsExactly(4 * 8 + (4000 + 63) / 64, 4 + 5, 4 + 50, 4 + 2);
    int payloads = delta.tensors().stream().mapToInt(TensorReport::bytes).sum();
    assertThat(delta.bytes()).hasSize(48 + 13 * 4 + payloads);
    assertThat(delta.overheadBytes()).isEqualTo(48 + 13 * 4);
  }

  @Test
  void aDeltaAgainstAnotherBaseIsRejectedAndAFullSnapshotRecovers() {
    var encoder = new SnapshotEncoder(LAYOUT, policy("sign"));
    var decoder = new SnapshotDecoder(LAYOUT);
    decoder.apply(encoder.encode(theta(0), 0).bytes());
    encoder.encode(theta(1), 1); // lost in transit
    float[] before = decoder.view();
    long versionBefore = decoder.version();
    EncodedSnapshot next = encoder.encode(theta(2), 2);

    assertThatThrownBy(() -> decoder.apply(next.bytes()))
        .isInstanceOf(BaseMismatchException.class)
        .hasMessageContaining("full snapshot")
        .satisfies(e -> assertThat(((BaseMismatchException) e).heldVersion()).isEqualTo(versionBefore));
    assertSameBits(decoder.view(), before);
    assertThat(decoder.version()).isEqualTo(versionBefore);

    encoder.requestFullResync();
    EncodedSnapshot full = encoder.encode(theta(3), 3);
    assertThat(full.kind()).isEqualTo(SnapshotKind.FULL);
    decoder.apply(full.bytes());
    assertSameBits(decoder.view(), encoder.receiversView());
    EncodedSnapshot after = encoder.encode(theta(4), 4);
    assertThat(after.kind()).isEqualTo(SnapshotKind.DELTA);
    decoder.apply(after.bytes());
    assertSameBits(decoder.view(), encoder.receiversView());
  }

  @Test
  void aDeltaBeforeAnyFullSnapshotIsABaseMismatch() {
    var encoder = new SnapshotEncoder(LAYOUT, policy("sign"));
    encoder.encode(theta(0), 0);
    byte[] delta = encoder.encode(theta(1), 1).bytes();
    var decoder = new SnapshotDecoder(LAYOUT);
    assertThatThrownBy(() -> decoder.apply(delta)).isInstanceOf(BaseMismatchException.class)
        .hasMessageContaining("no view");
    assertThat(decoder.hasView()).isFalse();
    assertThatThrownBy(decoder::view).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFullSnapshotAlwaysResetsTheReceiver() {
    var decoder = new SnapshotDecoder(LAYOUT);
    var first = new SnapshotEncoder(LAYOUT, policy("sign"));
    decoder.apply(first.encode(theta(0), 0).bytes());
    decoder.apply(first.encode(theta(1), 1).bytes());
    var other = new SnapshotEncoder(LAYOUT, policy("sign"));
    decoder.apply(other.encode(theta(9), 5).bytes());
    assertSameBits(decoder.view(), theta(9));
  }

  @Test
  void periodicResyncSendsAFullSnapshotEveryKExchanges() {
    var encoder = new SnapshotEncoder(LAYOUT, new CodecPolicy(CodecSpec.SIGN, 0, CodecSpec.SIGN, CodecSpec.NONE, 3));
    List<SnapshotKind> kinds = new ArrayList<>();
    for (int round = 0; round < 7; round++) {
      kinds.add(encoder.encode(theta(round), round).kind());
    }
    assertThat(kinds).containsExactly(SnapshotKind.FULL, SnapshotKind.DELTA, SnapshotKind.DELTA, SnapshotKind.FULL,
        SnapshotKind.DELTA, SnapshotKind.DELTA, SnapshotKind.FULL);

    var always = new SnapshotEncoder(LAYOUT, new CodecPolicy(CodecSpec.SIGN, 0, CodecSpec.SIGN, CodecSpec.NONE, 1));
    assertThat(always.encode(theta(0), 0).kind()).isEqualTo(SnapshotKind.FULL);
    assertThat(always.encode(theta(1), 1).kind()).isEqualTo(SnapshotKind.FULL);
  }

  /** Relative distance of the receivers' view from a fixed θ after each of {@code rounds} delta rounds. */
  static double[] errorFeedbackTrace(String codec, int rounds) {
    var encoder = new SnapshotEncoder(LAYOUT, new CodecPolicy(CodecSpec.parse(codec), 0, CodecSpec.SIGN,
        CodecSpec.NONE, 0));
    var decoder = new SnapshotDecoder(LAYOUT);
    decoder.apply(encoder.encode(theta(0), 0).bytes());
    float[] target = theta(1); // as far from the receivers' view as θ itself is large
    double[] trace = new double[rounds];
    for (int round = 1; round <= rounds; round++) {
      decoder.apply(encoder.encode(target, round).bytes());
      trace[round - 1] = Samples.l2Distance(decoder.view(), target) / Samples.l2(target);
    }
    return trace;
  }

  @Test
  void errorFeedbackDrivesTheSignViewToAFixedTheta() {
    // One scale per 64 values: the residual shrinks geometrically.
    double[] chunked = errorFeedbackTrace("sign:64", 200);
    assertThat(chunked[0]).isGreaterThan(0.5);
    assertThat(chunked[199]).isLessThan(1e-3);
    // One scale per tensor: slower (about 1/rounds), but still converging.
    double[] perTensor = errorFeedbackTrace("sign", 200);
    assertThat(perTensor[199]).isLessThan(0.03).isLessThan(perTensor[0] / 30);
  }

  @ParameterizedTest
  @CsvSource({"topk:0.05, 40, 1e-6", "int8, 10, 1e-6", "fp16, 5, 1e-6"})
  void errorFeedbackReachesThetaForTheFinerCodecs(String codec, int rounds, double bound) {
    double[] trace = errorFeedbackTrace(codec, rounds);
    assertThat(trace[rounds - 1]).isLessThan(bound);
  }

  @ParameterizedTest
  @CsvSource({"tile:8", "tile:4", "sign"})
  void errorFeedbackNeverIncreasesTheErrorWithLeastSquaresScales(String codec) {
    // x̂ is a projection of the residual, so each round can only shrink it; tiles converge slowly because one
    // tile of n/P bits must serve all P chunks (see the README).
    double[] trace = errorFeedbackTrace(codec, 100);
    for (int i = 1; i < trace.length; i++) {
      assertThat(trace[i]).as("round %d", i + 1).isLessThanOrEqualTo(trace[i - 1] * (1 + 1e-6));
    }
    assertThat(trace[99]).isLessThan(trace[0] * 0.95);
  }

  @Test
  void nonFiniteThetaNamesTensorAndIndexAndLeavesTheStreamIntact() {
    var encoder = new SnapshotEncoder(LAYOUT, policy("sign"));
    var decoder = new SnapshotDecoder(LAYOUT);
    decoder.apply(encoder.encode(theta(0), 0).bytes());
    long version = encoder.version();
    float[] bad = theta(1);
    bad[LAYOUT.tensor(2).offset() + 17] = Float.NaN;
    assertThatThrownBy(() -> encoder.encode(bad, 1))
        .isInstanceOf(NonFiniteValueException.class)
        .hasMessageContaining("'fc2.weight'")
        .hasMessageContaining("index 17");
    assertThat(encoder.version()).isEqualTo(version);
    decoder.apply(encoder.encode(theta(1), 1).bytes());
    assertSameBits(decoder.view(), encoder.receiversView());
  }

  @Test
  void everySingleByteCorruptionIsDetected() {
    var layout = TensorLayout.builder().add("w", 70).add("b", 3).build();
    var encoder = new SnapshotEncoder(layout, new CodecPolicy(CodecSpec.tile(4), 10, CodecSpec.SIGN,
        CodecSpec.NONE, 0));
    byte[] full = encoder.encode(Samples.gaussian(73, 1, 1), 0).bytes();
    byte[] delta = encoder.encode(Samples.gaussian(73, 2, 1), 1).bytes();
    for (byte[] message : List.of(full, delta)) {
      var decoder = new SnapshotDecoder(layout);
      decoder.apply(full);
      for (int i = 0; i < message.length; i++) {
        byte[] corrupt = message.clone();
        corrupt[i] ^= (byte) (1 << (i % 8));
        assertThatThrownBy(() -> decoder.apply(corrupt)).as("flipped a bit of byte %d", i)
            .isInstanceOf(CorruptSnapshotException.class);
      }
      for (int length = 0; length < message.length; length++) {
        byte[] truncated = Arrays.copyOf(message, length);
        assertThatThrownBy(() -> decoder.apply(truncated)).as("truncated to %d bytes", length)
            .isInstanceOf(CorruptSnapshotException.class);
      }
    }
  }

  @Test
  void corruptMessagesGiveClearSentences() {
    var decoder = new SnapshotDecoder(LAYOUT);
    assertThatThrownBy(() -> decoder.apply(new byte[100])).isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("not a snapshot");
    assertThatThrownBy(() -> decoder.apply(new byte[3])).isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("truncated");
    byte[] message = new SnapshotEncoder(LAYOUT, policy("sign")).encode(theta(0), 0).bytes();
    byte[] cut = Arrays.copyOf(message, message.length - 10);
    assertThatThrownBy(() -> decoder.apply(cut)).isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("corrupt or truncated");
    var otherLayout = TensorLayout.builder().add("fc1.weight", 100, 40).add("fc1.bias", 40).add("fc2.weight", 10, 40)
        .add("fc2.bias", 10).build();
    assertThatThrownBy(() -> new SnapshotDecoder(otherLayout).apply(message))
        .isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("different tensor layout");
    assertThat(decoder.hasView()).isFalse();
  }

  @Test
  void exportedStateContinuesTheStreamByteForByte() {
    var original = new SnapshotEncoder(LAYOUT, policy("tile:8"));
    var decoder = new SnapshotDecoder(LAYOUT);
    for (int round = 0; round < 3; round++) {
      decoder.apply(original.encode(theta(round), round).bytes());
    }
    SnapshotEncoder.State state = original.exportState();
    var restored = new SnapshotEncoder(LAYOUT, policy("tile:8"));
    restored.restore(state);
    var restoredDecoder = new SnapshotDecoder(LAYOUT);
    restoredDecoder.restore(decoder.exportState());

    byte[] expected = original.encode(theta(3), 3).bytes();
    byte[] actual = restored.encode(theta(3), 3).bytes();
    assertThat(actual).isEqualTo(expected);
    restoredDecoder.apply(actual);
    assertSameBits(restoredDecoder.view(), original.receiversView());

    float[] damaged = state.receiversView();
    damaged[0] += 1;
    assertThatThrownBy(() -> restored.restore(new SnapshotEncoder.State(damaged, state.version(), 2, 0, false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("damaged");
  }

  @Test
  void roundsMustNotDecreaseAndThetaMustFitTheLayout() {
    var encoder = new SnapshotEncoder(LAYOUT, policy("sign"));
    encoder.encode(theta(0), 5);
    encoder.encode(theta(1), 5); // several exchanges per round are fine
    assertThatThrownBy(() -> encoder.encode(theta(2), 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never decrease");
    assertThatThrownBy(() -> encoder.encode(new float[3], 6)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("layout covers " + LAYOUT.totalLength());
  }

  @Test
  void viewIsACopy() {
    var encoder = new SnapshotEncoder(LAYOUT, policy("sign"));
    var decoder = new SnapshotDecoder(LAYOUT);
    decoder.apply(encoder.encode(theta(0), 0).bytes());
    decoder.view()[0] = 1234f;
    encoder.receiversView()[0] = 1234f;
    assertThat(decoder.view()[0]).isNotEqualTo(1234f);
    assertThat(encoder.receiversView()[0]).isNotEqualTo(1234f);
    float[] into = new float[LAYOUT.totalLength()];
    decoder.copyViewInto(into);
    assertSameBits(into, decoder.view());
  }
}
