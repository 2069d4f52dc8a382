package dev.ipa.compression;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fixed inputs behind the golden files, and a main that rewrites them. Rewrite only when the wire format
 * changes on purpose (and bump {@code SnapshotFormat.FORMAT_VERSION}), or when an encoder's rounding changes on
 * purpose (the format version stays; first check that the old files still decode and differ from the new ones
 * only in the last bits of scales):
 * {@code java -cp target/classes:target/test-classes dev.ipa.compression.GoldenFiles src/test/resources/golden}.
 */
final class GoldenFiles {
  static final String[] CODECS = {"none", "fp16", "int8:32", "sign", "sign:64", "tile:4", "topk:0.1"};
  static final TensorLayout LAYOUT = TensorLayout.builder().add("w", 8, 9).add("b", 5).build();

  private GoldenFiles() {}

  static float[] payloadInput() {
    return Samples.pattern(77);
  }

  static float[] theta(int step) {
    float[] x = Samples.pattern(77);
    for (int i = 0; i < x.length; i++) {
      x[i] += step * (((i * 13) % 7) - 3) / 16f;
    }
    return x;
  }

  static CodecPolicy policy() {
    return new CodecPolicy(CodecSpec.tile(4), 10, CodecSpec.SIGN, CodecSpec.NONE, 0);
  }

  static String payloadFile(String codec) {
    return "payload-" + codec.replace(':', '-') + ".bin";
  }

  /** Every golden file name and the bytes the current code produces for it. */
  static Map<String, byte[]> current() {
    var files = new LinkedHashMap<String, byte[]>();
    for (String codec : CODECS) {
      files.put(payloadFile(codec), Codecs.parse(codec).encode("golden", payloadInput()));
    }
    var encoder = new SnapshotEncoder(LAYOUT, policy());
    files.put("stream-0-full.bin", encoder.encode(theta(0), 0).bytes());
    files.put("stream-1-delta.bin", encoder.encode(theta(1), 1).bytes());
    files.put("stream-2-delta.bin", encoder.encode(theta(2), 2).bytes());
    return files;
  }

  static byte[] read(String name) {
    try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
      if (in == null) {
        throw new IllegalStateException("Golden file " + name + " is missing; regenerate with GoldenFiles.main.");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (var file : current().entrySet()) {
      Files.write(dir.resolve(file.getKey()), file.getValue());
      System.out.println(file.getKey() + ": " + file.getValue().length + " bytes");
    }
  }
}
