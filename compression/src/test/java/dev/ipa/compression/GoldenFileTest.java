package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Pins the binary layout: today's encoder must write the committed bytes, and today's decoder must read them. */
class GoldenFileTest {

  static String[] codecs() {
    return GoldenFiles.CODECS;
  }

  @ParameterizedTest
  @MethodSource("codecs")
  void payloadBytesMatchTheGoldenFile(String codec) {
    byte[] golden = GoldenFiles.read(GoldenFiles.payloadFile(codec));
    assertThat(Codecs.parse(codec).encode("golden", GoldenFiles.payloadInput())).isEqualTo(golden);
  }

  @ParameterizedTest
  @MethodSource("codecs")
  void goldenPayloadDecodesToTheSameValuesAsAFreshOne(String codec) {
    byte[] golden = GoldenFiles.read(GoldenFiles.payloadFile(codec));
    Codec c = Codecs.parse(codec);
    float[] fromGolden = c.decode(golden, 77);
    assertThat(fromGolden).containsExactly(c.decode(c.encode("golden", GoldenFiles.payloadInput()), 77));
  }

  @Test
  void goldenSignPayloadHoldsTheDocumentedFields() {
    byte[] golden = GoldenFiles.read("payload-sign.bin");
    float[] x = GoldenFiles.payloadInput();
    assertThat(golden).hasSize(4 + 10);
    double mean = 0;
    for (float v : x) {
      mean += Math.abs(v);
    }
    assertThat((double) LittleEndian.getFloat(golden, 0)).isCloseTo(mean / 77, org.assertj.core.data.Offset.offset(1e-6));
    for (int i = 0; i < 77; i++) {
      int bit = (golden[4 + i / 8] >>> (i % 8)) & 1;
      assertThat(bit).as("sign bit %d", i).isEqualTo(x[i] < 0 ? 1 : 0);
    }
  }

  @Test
  void streamBytesMatchTheGoldenFiles() {
    var encoder = new SnapshotEncoder(GoldenFiles.LAYOUT, GoldenFiles.policy());
    assertThat(encoder.encode(GoldenFiles.theta(0), 0).bytes()).isEqualTo(GoldenFiles.read("stream-0-full.bin"));
    assertThat(encoder.encode(GoldenFiles.theta(1), 1).bytes()).isEqualTo(GoldenFiles.read("stream-1-delta.bin"));
    assertThat(encoder.encode(GoldenFiles.theta(2), 2).bytes()).isEqualTo(GoldenFiles.read("stream-2-delta.bin"));
  }

  @Test
  void goldenStreamDecodesAndItsHeaderReadsAsDocumented() {
    var decoder = new SnapshotDecoder(GoldenFiles.LAYOUT);
    byte[] full = GoldenFiles.read("stream-0-full.bin");
    assertThat(new String(full, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("IPAS");
    assertThat(full[4]).isEqualTo((byte) 1);
    assertThat(full[5]).isEqualTo((byte) 1);
    assertThat(LittleEndian.getInt(full, 40)).isEqualTo(2);
    assertThat(full).hasSize(48 + 2 * 13 + 4 * 77);
    decoder.apply(full);
    assertThat(decoder.view()).containsExactly(GoldenFiles.theta(0));

    byte[] delta = GoldenFiles.read("stream-1-delta.bin");
    assertThat(delta[5]).isEqualTo((byte) 2);
    assertThat(LittleEndian.getLong(delta, 16)).isEqualTo(decoder.version());
    decoder.apply(delta);
    decoder.apply(GoldenFiles.read("stream-2-delta.bin"));
    var encoder = new SnapshotEncoder(GoldenFiles.LAYOUT, GoldenFiles.policy());
    for (int step = 0; step < 3; step++) {
      encoder.encode(GoldenFiles.theta(step), step);
    }
    assertThat(decoder.view()).containsExactly(encoder.receiversView());
    assertThat(decoder.round()).isEqualTo(2);
  }
}
