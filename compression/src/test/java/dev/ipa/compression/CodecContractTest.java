package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every codec honours, in the style of Netty's shared compression codec tests. A codec's test
 * class extends this, supplies the codec, an independently written size formula, and its reconstruction bound.
 */
abstract class CodecContractTest {

  /** The codec under test. */
  abstract Codec codec();

  /** The payload size the documentation promises for x, written without calling the codec. */
  abstract int expectedSize(float[] x);

  /** Asserts decoded is an acceptable reconstruction of x (exactly, or within the codec's documented bound). */
  abstract void assertReconstructs(float[] x, float[] decoded);

  byte[] encode(float[] x) {
    return codec().encode("t", x);
  }

  float[] roundTrip(float[] x) {
    return codec().decode(encode(x), x.length);
  }

  void assertContract(float[] x) {
    byte[] payload = encode(x);
    assertThat(payload).as("payload size for n = %d", x.length).hasSize(expectedSize(x));
    if (codec().fixedSize()) {
      assertThat(codec().encodedSize(x.length)).isEqualTo(payload.length);
    }
    assertThat(payload.length).isLessThanOrEqualTo(codec().maxEncodedSize(x.length));
    float[] decoded = codec().decode(payload, x.length);
    assertThat(decoded).hasSize(x.length);
    assertReconstructs(x, decoded);
  }

  @Test
  void emptyInput() {
    assertContract(new float[0]);
  }

  @Test
  void oneElement() {
    assertContract(new float[] {0.75f});
    assertContract(new float[] {-3.5f});
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 7, 9, 15, 17, 63, 64, 65, 127, 129, 1000, 1001, 4097, 10_007})
  void sizesThatAreNotMultiplesOfWordsOrTiles(int n) {
    assertContract(Samples.gaussian(n, n, 1.0));
  }

  @Test
  void oneMebiRandomValues() {
    assertContract(Samples.gaussian(1 << 20, 42, 0.05));
  }

  @Test
  void constants() {
    assertContract(Samples.constant(1000, 0.3f));
    assertContract(Samples.constant(1000, -7f));
  }

  @Test
  void allZeros() {
    float[] zeros = new float[777];
    assertContract(zeros);
    float[] decoded = roundTrip(zeros);
    for (float v : decoded) {
      assertThat(Math.abs(v)).isEqualTo(0f);
    }
  }

  @Test
  void signedZerosAndTinyValues() {
    assertContract(new float[] {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-30f, 0f, -0f, 1f});
  }

  @ParameterizedTest
  @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
  void nonFiniteValuesAreRejectedNamingTensorAndIndex(float bad) {
    for (int index : new int[] {0, 5, 64, 99}) {
      float[] x = Samples.gaussian(100, 1, 1);
      x[index] = bad;
      assertThatThrownBy(() -> codec().encode("layer3.weight", x))
          .isInstanceOf(NonFiniteValueException.class)
          .hasMessageContaining("'layer3.weight'")
          .hasMessageContaining("index " + index)
          .satisfies(e -> assertThat(((NonFiniteValueException) e).index()).isEqualTo(index));
    }
  }

  @Test
  void offsetsInLargerArraysGiveTheSameBytesAndStayInBounds() {
    float[] x = Samples.gaussian(333, 7, 2);
    byte[] expected = encode(x);
    float[] padded = new float[x.length + 20];
    System.arraycopy(x, 0, padded, 11, x.length);
    byte[] out = new byte[codec().maxEncodedSize(x.length) + 30];
    Arrays.fill(out, (byte) 0x5A);
    int written = codec().encode("t", padded, 11, x.length, out, 13);
    assertThat(written).isEqualTo(expected.length);
    assertThat(Arrays.copyOfRange(out, 13, 13 + written)).isEqualTo(expected);
    for (int i = 0; i < 13; i++) {
      assertThat(out[i]).as("byte %d before the payload", i).isEqualTo((byte) 0x5A);
    }

    float[] into = Samples.constant(x.length + 10, 9f);
    codec().decode(out, 13, written, into, 4, x.length);
    assertThat(Arrays.copyOfRange(into, 4, 4 + x.length)).isEqualTo(codec().decode(expected, x.length));
    assertThat(Arrays.copyOfRange(into, 0, 4)).containsOnly(9f);
    assertThat(Arrays.copyOfRange(into, 4 + x.length, into.length)).containsOnly(9f);
  }

  @Test
  void truncatedOrPaddedPayloadIsRejected() {
    float[] x = Samples.gaussian(300, 3, 1);
    byte[] payload = encode(x);
    assertThatThrownBy(() -> codec().decode(Arrays.copyOf(payload, payload.length - 1), x.length))
        .isInstanceOf(CorruptSnapshotException.class);
    assertThatThrownBy(() -> codec().decode(Arrays.copyOf(payload, payload.length + 1), x.length))
        .isInstanceOf(CorruptSnapshotException.class);
  }

  @Test
  void encodingIsDeterministic() {
    float[] x = Samples.gaussian(5000, 11, 1);
    assertThat(encode(x)).isEqualTo(encode(x.clone()));
  }

  @Property(tries = 150)
  void decodeOfEncodeHasTheInputLengthAndTheDocumentedSize(
      @ForAll @IntRange(min = 0, max = 3000) int n, @ForAll long seed) {
    float[] x = Samples.gaussian(n, seed, 1);
    byte[] payload = encode(x);
    assertThat(payload).hasSize(expectedSize(x));
    assertThat(codec().decode(payload, n)).hasSize(n);
  }
}
