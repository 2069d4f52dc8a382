package dev.ipa.alignment.quant;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.provenance.ModelProvenance;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The packed model file, version 2 (version 1 is still read). Little-endian throughout; strings are a u16 byte
 * count then UTF-8.
 *
 * <pre>
 * offset 0        4         6              10                          10+L      14+L
 *        +--------+---------+--------------+---------- ... ------------+---------+
 *        | "IPAQ" | version | payload len L|         payload           |  CRC32  |
 *        | magic  | u16 = 2 | u32          |                           |  u32    |  over bytes [0, 10+L)
 *        +--------+---------+--------------+---------- ... ------------+---------+
 *
 * payload:
 *   architecture  u8 family (0 mlp, 1 cnn, 2 linear) | u16 channels | u16 rows | u16 cols | u16 classes
 *                 | u8 h | h × u32 hidden sizes
 *   provenance    str peer id | u32 round | i64 seed | str code version
 *                 | u16 settings S | S × (str name | str value), names ascending
 *                 | u16 aligned A  | A × (str neighbour id | u64 snapshot version), ids ascending
 *     version 1:  str peer id | u32 round | i64 seed | str configuration | str code version; read as the
 *                 configuration text under the one setting {@link ModelProvenance#LEGACY_SETTINGS}, nothing aligned
 *   weight mode   str (canonical WeightMode spec)
 *   u8 layer count, then per weight layer in forward order:
 *     +------+-------+------+------+--------+--------+-------+-----------+----------------+-------+-----------+
 *     | kind | scale | rows | cols | tile q | scales | tiles | s × f32   | weights        | bias  | cols ×    |
 *     | u8   | u8    | u32  | u32  | u32    | s: u32 | u16   | scales    |                | width | bias      |
 *     +------+-------+------+------+--------+--------+-------+-----------+----------------+-------+-----------+
 *     kind: 0 float, 1 binary, 2 tiled; scale: 0 per layer / per tile copy, 1 per output unit
 *     weights: float → rows·cols × f32 in c-order [rows, cols]
 *              binary, tiled → ⌈q/8⌉ bytes of tile bits, bit i in byte i/8 at position i mod 8 (LSB first),
 *              1 = +scale, 0 = −scale; weight f (output-major) = scale[f / group] · bit[f mod q]
 *     bias width: 2 (fp16, compressed layers) or 4 (fp32, float layers)
 * </pre>
 *
 * A layer record is exactly {@link LayerPlan#packedBytes()} bytes, so a file's size follows from its plan and
 * provenance ({@link #fileSize}). Readers reject anything else with a one-sentence {@link ModelFileException}.
 * Stateless; safe from any thread.
 */
public final class PackedModelFormat {
  static final byte[] MAGIC = {'I', 'P', 'A', 'Q'};
  public static final int VERSION = 2;
  /** The first format, whose provenance was one configuration string; still read. */
  public static final int VERSION_1 = 1;
  private static final int HEAD = 4 + 2 + 4;
  private static final int CHECKSUM = 4;
  /** Model family codes, by position: version 1 and 2 files know 0 (mlp) and 1 (cnn); 2 (linear) was added without a version change, since older readers reject it with one sentence. */
  private static final java.util.List<String> FAMILIES = java.util.List.of("mlp", "cnn", "linear");

  private PackedModelFormat() {}

  /** Exact size in bytes of the file {@link #write} produces for {@code m}. */
  public static int fileSize(PackedModel m) {
    return HEAD + payloadSize(m) + CHECKSUM;
  }

  private static int payloadSize(PackedModel m) {
    Architecture a = m.architecture();
    int size = 1 + 2 + 2 + 2 + 2 + 1 + 4 * a.hidden().size();
    ModelProvenance p = m.provenance();
    size += str(p.peerId()) + 4 + 8 + str(p.codeVersion()) + 2 + 2;
    for (Map.Entry<String, String> e : p.settings().entrySet()) size += str(e.getKey()) + str(e.getValue());
    for (String peer : p.alignedTo().keySet()) size += str(peer) + 8;
    size += str(m.weightMode()) + 1;
    for (PackedLayer l : m.layers()) size += l.plan().packedBytes();
    return size;
  }

  private static int str(String s) {
    return 2 + s.getBytes(StandardCharsets.UTF_8).length;
  }

  static byte[] write(PackedModel m) {
    int payload = payloadSize(m);
    ByteBuffer b = ByteBuffer.allocate(HEAD + payload + CHECKSUM).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putShort((short) VERSION).putInt(payload);
    Architecture a = m.architecture();
    if (a.hidden().size() > 255 || a.channels() > 65535 || a.rows() > 65535 || a.cols() > 65535) {
      throw new IllegalArgumentException("The architecture " + a.describe() + " is too large for model format version " + VERSION + ".");
    }
    b.put((byte) FAMILIES.indexOf(a.family())).putShort((short) a.channels()).putShort((short) a.rows()).putShort((short) a.cols()).putShort((short) a.classes());
    b.put((byte) a.hidden().size());
    for (int h : a.hidden()) b.putInt(h);
    ModelProvenance p = m.provenance();
    putString(b, p.peerId());
    b.putInt(p.round()).putLong(p.seed());
    putString(b, p.codeVersion());
    b.putShort((short) p.settings().size());
    p.settings().forEach((name, value) -> {
      putString(b, name);
      putString(b, value);
    });
    b.putShort((short) p.alignedTo().size());
    p.alignedTo().forEach((peer, version) -> {
      putString(b, peer);
      b.putLong(version);
    });
    putString(b, m.weightMode());
    b.put((byte) m.layers().size());
    for (PackedLayer l : m.layers()) {
      LayerPlan plan = l.plan();
      b.put((byte) plan.kind().ordinal()).put((byte) (plan.perUnit() ? 1 : 0)).putInt(plan.rows()).putInt(plan.cols())
          .putInt(plan.tileLength()).putInt(plan.scaleCount()).putShort((short) plan.tiles());
      for (float s : l.scales()) b.putFloat(s);
      if (plan.kind() == WeightKind.FLOAT) {
        for (float w : l.weights()) b.putFloat(w);
      } else {
        int q = plan.tileLength();
        for (int i = 0; i < q; i += 8) {
          int v = 0;
          for (int k = 0; k < 8 && i + k < q; k++) {
            int bit = i + k;
            if ((l.bits()[bit >>> 6] >>> (bit & 63) & 1L) != 0) v |= 1 << k;
          }
          b.put((byte) v);
        }
      }
      b.put((byte) plan.biasWidth());
      for (float x : l.biases()) {
        if (plan.biasWidth() == 2) b.putShort(Half.fromFloat(x));
        else b.putFloat(x);
      }
    }
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    if (b.hasRemaining()) throw new IllegalStateException("Model size formula and writer disagree by " + b.remaining() + " bytes.");
    return b.array();
  }

  private static void putString(ByteBuffer b, String s) {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    b.putShort((short) u.length).put(u);
  }

  static PackedModel read(byte[] bytes, String source) {
    String what = "Model file " + source;
    if (bytes.length < HEAD + CHECKSUM) {
      throw new ModelFileException(what + " is truncated: it has " + bytes.length + " bytes, fewer than the " + (HEAD + CHECKSUM) + " of an empty model.");
    }
    for (int i = 0; i < 4; i++) {
      if (bytes[i] != MAGIC[i]) throw new ModelFileException(what + " is not a packed IPA model (its first bytes are not \"IPAQ\").");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.position(4);
    int version = Short.toUnsignedInt(b.getShort());
    if (version != VERSION && version != VERSION_1) {
      throw new ModelFileException(what + " has format version " + version + ", but this build reads versions " + VERSION_1 + " and " + VERSION + " only.");
    }
    long payload = Integer.toUnsignedLong(b.getInt());
    long expected = HEAD + payload + CHECKSUM;
    if (bytes.length < expected) {
      throw new ModelFileException(what + " is truncated: its header announces " + expected + " bytes but it has " + bytes.length + ".");
    }
    if (bytes.length > expected) {
      throw new ModelFileException(what + " has " + (bytes.length - expected) + " unexpected bytes after its checksum.");
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, (int) (HEAD + payload));
    int stored = ByteBuffer.wrap(bytes, (int) (HEAD + payload), 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (stored != (int) crc.getValue()) throw new ModelFileException(what + " is corrupt: its CRC32 checksum does not match its contents.");
    b.limit((int) (HEAD + payload));
    try {
      PackedModel m = parse(b, version);
      if (b.hasRemaining()) throw new ModelFileException(b.remaining() + " payload bytes follow the last layer.");
      return m;
    } catch (BufferUnderflowException e) {
      throw new ModelFileException(what + " is inconsistent: its layers need more bytes than its payload holds.");
    } catch (ModelFileException | IllegalArgumentException e) {
      throw new ModelFileException(what + " is inconsistent: " + decapitalise(e.getMessage()));
    }
  }

  private static String decapitalise(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  private static PackedModel parse(ByteBuffer b, int version) {
    int family = Byte.toUnsignedInt(b.get());
    if (family >= FAMILIES.size()) throw new ModelFileException("Its model family code " + family + " is unknown.");
    int channels = Short.toUnsignedInt(b.getShort());
    int rows = Short.toUnsignedInt(b.getShort());
    int cols = Short.toUnsignedInt(b.getShort());
    int classes = Short.toUnsignedInt(b.getShort());
    int h = Byte.toUnsignedInt(b.get());
    List<Integer> hidden = new ArrayList<>();
    for (int i = 0; i < h; i++) hidden.add(b.getInt());
    Architecture arch = new Architecture(FAMILIES.get(family), channels, rows, cols, classes, hidden);
    ModelProvenance prov = version == VERSION_1 ? ModelProvenance.fromSettingsText(getString(b), b.getInt(), b.getLong(), getString(b), getString(b))
        : provenance(b);
    String mode = getString(b);
    WeightMode.parse(mode); // rejects a spec this build cannot name
    int count = Byte.toUnsignedInt(b.get());
    List<PackedLayer> layers = new ArrayList<>();
    List<LayerPlan> shapes = WeightMode.shapes(arch);
    if (count != shapes.size()) {
      throw new ModelFileException("It has " + count + " weight layers but its architecture " + arch.describe() + " has " + shapes.size() + ".");
    }
    for (int i = 0; i < count; i++) {
      int kindCode = Byte.toUnsignedInt(b.get());
      if (kindCode >= WeightKind.values().length) throw new ModelFileException("Layer " + (i + 1) + " has unknown kind code " + kindCode + ".");
      WeightKind kind = WeightKind.values()[kindCode];
      int scale = Byte.toUnsignedInt(b.get());
      if (scale > 1) throw new ModelFileException("Layer " + (i + 1) + " has unknown scale layout " + scale + ".");
      int r = b.getInt();
      int c = b.getInt();
      int q = b.getInt();
      int s = b.getInt();
      int tiles = Short.toUnsignedInt(b.getShort());
      LayerPlan want = shapes.get(i);
      if (r != want.rows() || c != want.cols()) {
        throw new ModelFileException("Layer " + (i + 1) + " is " + r + "x" + c + " but the architecture " + arch.describe() + " needs " + want.rows() + "x" + want.cols() + ".");
      }
      LayerPlan plan = new LayerPlan(want.name(), r, c, kind, tiles, scale == 1);
      if (q != plan.tileLength() || s != plan.scaleCount()) {
        throw new ModelFileException("Layer " + (i + 1) + " declares " + q + " tile bits and " + s + " scales where its plan needs " + plan.tileLength() + " and " + plan.scaleCount() + ".");
      }
      float[] scales = new float[s];
      for (int k = 0; k < s; k++) scales[k] = b.getFloat();
      float[] weights = new float[kind == WeightKind.FLOAT ? plan.weightCount() : 0];
      long[] bits = new long[(q + 63) / 64];
      if (kind == WeightKind.FLOAT) {
        if (b.remaining() < 4L * weights.length) throw new BufferUnderflowException();
        for (int k = 0; k < weights.length; k++) weights[k] = b.getFloat();
      } else {
        for (int k = 0; k < q; k += 8) {
          int v = Byte.toUnsignedInt(b.get());
          for (int t = 0; t < 8 && k + t < q; t++) if ((v >>> t & 1) != 0) bits[(k + t) >>> 6] |= 1L << ((k + t) & 63);
        }
      }
      int width = Byte.toUnsignedInt(b.get());
      if (width != plan.biasWidth()) throw new ModelFileException("Layer " + (i + 1) + " stores " + width + "-byte biases where " + plan.biasWidth() + " are expected.");
      float[] biases = new float[c];
      for (int k = 0; k < c; k++) biases[k] = width == 2 ? Half.toFloat(b.getShort()) : b.getFloat();
      for (float v : scales) if (!Float.isFinite(v)) throw new ModelFileException("Layer " + (i + 1) + " has a non-finite scale.");
      layers.add(new PackedLayer(plan, bits, scales, weights, biases));
    }
    return new PackedModel(arch, mode, prov, layers);
  }

  private static ModelProvenance provenance(ByteBuffer b) {
    String peer = getString(b);
    int round = b.getInt();
    long seed = b.getLong();
    String code = getString(b);
    SortedMap<String, String> settings = new TreeMap<>();
    int s = Short.toUnsignedInt(b.getShort());
    for (int i = 0; i < s; i++) {
      String name = getString(b);
      if (settings.put(name, getString(b)) != null) throw new ModelFileException("Its provenance names setting '" + name + "' twice.");
    }
    SortedMap<String, Long> aligned = new TreeMap<>();
    int a = Short.toUnsignedInt(b.getShort());
    for (int i = 0; i < a; i++) {
      String neighbour = getString(b);
      if (aligned.put(neighbour, b.getLong()) != null) throw new ModelFileException("Its provenance names neighbour '" + neighbour + "' twice.");
    }
    return new ModelProvenance(peer, round, seed, settings, code, aligned);
  }

  private static String getString(ByteBuffer b) {
    int n = Short.toUnsignedInt(b.getShort());
    byte[] u = new byte[n];
    b.get(u);
    return new String(u, StandardCharsets.UTF_8);
  }
}
