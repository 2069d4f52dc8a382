package dev.ipa.alignment.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.model.ParamTensor;
import dev.ipa.alignment.model.WeightTransform;
import dev.ipa.alignment.provenance.ModelProvenance;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Export and import of packed models: exactness, size formula, corrupt files and the golden file. */
class PackedModelTest {
  private static final Architecture SMALL_MLP = new Architecture("mlp", 1, 4, 4, 3, List.of(6, 5));
  private static final Architecture SMALL_CNN = new Architecture("cnn", 2, 8, 8, 3, List.of(3, 4, 6));
  private static final ModelProvenance PROVENANCE = new ModelProvenance("peer-7", 12, 42,
      new TreeMap<>(Map.of("train.weights", "test", "train.epochs", "1")), "golden 1",
      new TreeMap<>(Map.of("peer-9", -2L, "peer-3", 0x0123456789abcdefL)));
  /** What version 1 recorded for the same model: one configuration string, no aligned snapshots. */
  private static final ModelProvenance PROVENANCE_V1 = ModelProvenance.fromSettingsText("peer-7", 12, 42, "weights=test epochs=1", "golden 1");
  private static final String GOLDEN_V1 = "golden/mlp-16-6-5-3-tiled2.ipaq";
  private static final String GOLDEN = "golden/mlp-16-6-5-3-tiled2-v2.ipaq";
  private static final String GOLDEN_MODE = "tiled:2,min=40,last=float";

  /**
   * A network with the given mode and latent weights and biases drawn here (not by the network's initialiser, so
   * the golden file does not change when initialisation does; biases non-zero so they are exercised).
   */
  static Network network(Architecture a, WeightMode mode, long seed) {
    Network net = Network.create(a, seed, mode.transforms(a));
    float[] theta = new float[net.parameterCount()];
    SplittableRandom rng = new SplittableRandom(seed + 1);
    for (int i = 0; i < theta.length; i++) theta[i] = (float) (rng.nextDouble() - 0.5);
    net.setParams(theta);
    return net;
  }

  /** The forward-pass weights of layer i, from a fresh transform, as the network computes them. */
  static float[] effective(Network net, WeightMode mode, int i) {
    LayerPlan p = mode.plan(net.architecture()).get(i);
    ParamTensor w = net.tensors().stream().filter(ParamTensor::weight).toList().get(i);
    float[] latent = Arrays.copyOfRange(net.copyParams(), w.offset(), w.offset() + w.length());
    INDArray l = Nd4j.create(latent, new long[] {p.rows(), p.cols()}, 'c');
    INDArray e = Nd4j.create(DataType.FLOAT, p.rows(), p.cols());
    WeightTransform t = mode.transform(p);
    t.apply(l, e);
    return e.data().asFloat();
  }

  private static void assertBitIdentical(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(Float.floatToRawIntBits(actual[i])).as("weight %d", i).isEqualTo(Float.floatToRawIntBits(expected[i]));
    }
  }

  @Test
  void exportThenImportGivesBitIdenticalWeightsForEveryKind() {
    for (String spec : List.of("binary", "binary:per-unit", "tiled:4,min=0", "tiled:3,min=0,first=float", GOLDEN_MODE)) {
      for (Architecture a : List.of(SMALL_MLP, SMALL_CNN)) {
        WeightMode mode = WeightMode.parse(spec);
        Network net = network(a, mode, 5);
        PackedModel read = PackedModel.fromBytes(PackedModel.pack(net, mode, PROVENANCE).toBytes(), "test");
        assertThat(read.provenance()).isEqualTo(PROVENANCE);
        assertThat(read.architecture()).isEqualTo(a);
        assertThat(read.weightMode()).isEqualTo(mode.toString());
        assertThat(read.plans()).isEqualTo(mode.plan(a));
        List<ParamTensor> biases = net.tensors().stream().filter(t -> !t.weight()).toList();
        float[] theta = net.copyParams();
        for (int i = 0; i < read.layers().size(); i++) {
          PackedLayer l = read.layers().get(i);
          assertBitIdentical(l.expand(), effective(net, mode, i));
          float[] b = Arrays.copyOfRange(theta, biases.get(i).offset(), biases.get(i).offset() + l.plan().cols());
          if (l.plan().biasWidth() == 2) for (int j = 0; j < b.length; j++) b[j] = Half.round(b[j]);
          assertBitIdentical(l.biases(), b);
        }
      }
    }
  }

  @Test
  void theUnpackedNetworkComputesTheSameLogitsAsTheTrainedOne() {
    // With biases that fp16 represents exactly, the trained network and the file's unpacked network are the same
    // function: same effective weights, same BLAS calls, so bit-identical losses.
    WeightMode mode = WeightMode.parse("tiled:2,min=0");
    Network net = network(SMALL_MLP, mode, 9);
    float[] theta = net.copyParams();
    for (ParamTensor t : net.tensors()) if (!t.weight()) for (int i = 0; i < t.length(); i++) theta[t.offset() + i] = Half.round(theta[t.offset() + i]);
    net.setParams(theta);
    Network unpacked = PackedModel.fromBytes(PackedModel.pack(net, mode, PROVENANCE).toBytes(), "test").toNetwork();
    INDArray x = Nd4j.rand(DataType.FLOAT, 7, 16);
    int[] y = {0, 1, 2, 0, 1, 2, 0};
    Evaluation a = new Evaluation();
    Evaluation b = new Evaluation();
    int[] pa = new int[7];
    int[] pb = new int[7];
    net.evaluate(x, y, 7, a, pa);
    unpacked.evaluate(x, y, 7, b, pb);
    assertThat(b.meanLoss()).isEqualTo(a.meanLoss());
    assertThat(pb).containsExactly(pa);
  }

  private static byte[] valid() {
    WeightMode mode = WeightMode.parse(GOLDEN_MODE);
    return PackedModel.pack(network(SMALL_MLP, mode, 3), mode, PROVENANCE).toBytes();
  }

  private static byte[] withChecksum(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 4, (int) crc.getValue());
    return bytes;
  }

  @Test
  void corruptAndTruncatedFilesAreOneSentence() {
    byte[] good = valid();
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x10;
    assertThatThrownBy(() -> PackedModel.fromBytes(flipped, "m.ipaq"))
        .isInstanceOf(ModelFileException.class).hasMessage("Model file m.ipaq is corrupt: its CRC32 checksum does not match its contents.");
    assertThatThrownBy(() -> PackedModel.fromBytes(Arrays.copyOf(good, good.length - 9), "m.ipaq"))
        .hasMessage("Model file m.ipaq is truncated: its header announces " + good.length + " bytes but it has " + (good.length - 9) + ".");
    assertThatThrownBy(() -> PackedModel.fromBytes(Arrays.copyOf(good, 7), "m.ipaq"))
        .hasMessage("Model file m.ipaq is truncated: it has 7 bytes, fewer than the 14 of an empty model.");
    assertThatThrownBy(() -> PackedModel.fromBytes("PK\u0003\u0004 not a model at all".getBytes(), "m.zip"))
        .hasMessage("Model file m.zip is not a packed IPA model (its first bytes are not \"IPAQ\").");
    byte[] v3 = good.clone();
    v3[4] = 3;
    assertThatThrownBy(() -> PackedModel.fromBytes(v3, "m.ipaq")).hasMessage("Model file m.ipaq has format version 3, but this build reads versions 1 and 2 only.");
    byte[] longer = Arrays.copyOf(good, good.length + 3);
    assertThatThrownBy(() -> PackedModel.fromBytes(longer, "m.ipaq")).hasMessage("Model file m.ipaq has 3 unexpected bytes after its checksum.");
  }

  @Test
  void aFileWhoseLayersDoNotFitItsArchitectureIsRejected() {
    // Input rows 4 → 5 (offset 10 family, 11 channels, 13 rows): the first layer would need 20 rows, it has 16.
    byte[] bytes = valid();
    bytes[13] = 5;
    assertThatThrownBy(() -> PackedModel.fromBytes(withChecksum(bytes), "m.ipaq")).isInstanceOf(ModelFileException.class)
        .hasMessage("Model file m.ipaq is inconsistent: layer 1 is 16x6 but the architecture mlp 20-6-5-3 needs 20x6.");
    // Ten classes instead of three: the last layer has 3 columns.
    byte[] classes = valid();
    classes[17] = 10;
    assertThatThrownBy(() -> PackedModel.fromBytes(withChecksum(classes), "m.ipaq"))
        .hasMessage("Model file m.ipaq is inconsistent: layer 3 is 5x3 but the architecture mlp 16-6-5-10 needs 5x10.");
  }

  @Test
  void packedInferenceRejectsDataOfAnotherShape() {
    PackedModel m = PackedModel.fromBytes(valid(), "m.ipaq");
    Dataset wrong = Dataset.of("wrong", 5, 5, new byte[2 * 25], new byte[] {0, 1});
    assertThatThrownBy(() -> new PackedInference(m).evaluate(wrong, 10)).isInstanceOf(ModelFileException.class)
        .hasMessage("The model mlp 16-6-5-3 expects 1x4x4 inputs and at most 3 classes, but the data has 5x5 inputs and 2 classes.");
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = PackedModelTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as("golden file " + name).isNotNull();
      return in.readAllBytes();
    }
  }

  /**
   * A model written by format version 1, whose provenance was one configuration string, still loads with the same
   * structure and weights, its configuration kept as the one legacy setting; written again today it differs from
   * the version 2 golden file only by its provenance.
   */
  @Test
  void goldenVersion1FileStillLoads() throws IOException {
    WeightMode mode = WeightMode.parse(GOLDEN_MODE);
    Network net = network(SMALL_MLP, mode, 2024);
    byte[] golden = resource(GOLDEN_V1);
    PackedModel m = PackedModel.fromBytes(golden, GOLDEN_V1);
    assertThat(m.architecture()).isEqualTo(SMALL_MLP);
    assertThat(m.provenance()).isEqualTo(PROVENANCE_V1);
    assertThat(m.provenance().settings()).containsExactly(Map.entry(ModelProvenance.LEGACY_SETTINGS, "weights=test epochs=1"));
    assertThat(m.provenance().alignedTo()).isEmpty();
    assertThat(m.weightMode()).isEqualTo(GOLDEN_MODE);
    assertThat(m.plans()).extracting(LayerPlan::mode).containsExactly("tiled:2", "binary", "float");
    // 14 head and checksum, 18 architecture, 53 provenance, 27 mode, 1 layer count, then the three layer records.
    assertThat(golden).hasSize(14 + 18 + (2 + 6 + 4 + 8 + 2 + 21 + 2 + 8) + (2 + GOLDEN_MODE.length()) + 1
        + (20 + 2 * 4 + 6 + 1 + 6 * 2) + (20 + 4 + 4 + 1 + 5 * 2) + (20 + 5 * 3 * 4 + 1 + 3 * 4));
    for (int i = 0; i < 3; i++) assertBitIdentical(m.layers().get(i).expand(), effective(net, mode, i));
    assertThat(new PackedModel(m.architecture(), m.weightMode(), PROVENANCE, m.layers()).toBytes()).isEqualTo(resource(GOLDEN));
  }

  /**
   * A model written by format version 2 still loads, with the same structure, structured provenance and weights,
   * and today's writer still produces it byte for byte. Regenerate only for a deliberate format change:
   * {@code -Dipa.golden.write=true} writes it under src/test/resources.
   */
  @Test
  void goldenFileStillLoadsAndIsStillWrittenTheSame() throws IOException {
    WeightMode mode = WeightMode.parse(GOLDEN_MODE);
    Network net = network(SMALL_MLP, mode, 2024);
    byte[] now = PackedModel.pack(net, mode, PROVENANCE).toBytes();
    if (Boolean.getBoolean("ipa.golden.write")) Files.write(Path.of("src/test/resources", GOLDEN), now);
    byte[] golden = resource(GOLDEN);
    PackedModel m = PackedModel.fromBytes(golden, GOLDEN);
    assertThat(m.architecture()).isEqualTo(SMALL_MLP);
    assertThat(m.provenance()).isEqualTo(PROVENANCE);
    assertThat(m.provenance().settings().keySet()).containsExactly("train.epochs", "train.weights");
    assertThat(m.provenance().alignedTo()).containsExactly(Map.entry("peer-3", 0x0123456789abcdefL), Map.entry("peer-9", -2L));
    assertThat(m.weightMode()).isEqualTo(GOLDEN_MODE);
    assertThat(m.plans()).extracting(LayerPlan::mode).containsExactly("tiled:2", "binary", "float");
    // Provenance: peer id 8, round 4, seed 8, code version 10, 2 settings (17 + 21 bytes), 2 aligned (16 each).
    assertThat(golden).hasSize(14 + 18 + (8 + 4 + 8 + 10 + 2 + 17 + 21 + 2 + 16 + 16) + (2 + GOLDEN_MODE.length()) + 1
        + (20 + 2 * 4 + 6 + 1 + 6 * 2) + (20 + 4 + 4 + 1 + 5 * 2) + (20 + 5 * 3 * 4 + 1 + 3 * 4));
    for (int i = 0; i < 3; i++) assertBitIdentical(m.layers().get(i).expand(), effective(net, mode, i));
    assertThat(now).isEqualTo(golden);
  }

  @Test
  void aSettingNamedTwiceIsRejected() {
    ModelProvenance twice = new ModelProvenance("p", 0, 0, new TreeMap<>(Map.of("a", "1", "b", "2")), "c", new TreeMap<>());
    WeightMode mode = WeightMode.parse(GOLDEN_MODE);
    byte[] bytes = PackedModel.pack(network(SMALL_MLP, mode, 3), mode, twice).toBytes();
    // Setting names start after head 10, architecture 18, peer id 3, round 4, seed 8, code version 3, count 2, then
    // "a" (3 bytes) and "1" (3 bytes): rename the second setting "b" to "a".
    int second = 10 + 18 + 3 + 4 + 8 + 3 + 2 + 3 + 3 + 2;
    assertThat(bytes[second]).isEqualTo((byte) 'b');
    bytes[second] = 'a';
    assertThatThrownBy(() -> PackedModel.fromBytes(withChecksum(bytes), "m.ipaq")).isInstanceOf(ModelFileException.class)
        .hasMessage("Model file m.ipaq is inconsistent: its provenance names setting 'a' twice.");
  }
}
