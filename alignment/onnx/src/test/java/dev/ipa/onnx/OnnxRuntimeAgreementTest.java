package dev.ipa.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.quant.WeightMode;
import dev.ipa.alignment.table.Table;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.alignment.table.TableSource;
import dev.ipa.alignment.table.TableStatistics;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every model kind, exported and run by ONNX Runtime, against the platform's own predictions
 * ({@link Network#predict} on the packed model's network) on 1,000 samples: the same labels, probabilities
 * within 1e-5. Weights and biases are random (biases too, so a wrong bias layout shows), images are random
 * bytes, and the table has numeric columns with missing values, categorical columns with missing and unseen
 * values.
 */
class OnnxRuntimeAgreementTest {
  private static final int SAMPLES = 1000;
  private static final double TOLERANCE = 1e-5;
  private static OrtEnvironment env;
  @TempDir
  Path dir;

  @BeforeAll
  static void runtime() {
    env = OrtEnvironment.getEnvironment();
  }

  @AfterAll
  static void close() {
    env.close();
  }

  @ParameterizedTest(name = "{0} on {1}-channel {2}x{2} images, {3} weights")
  @CsvSource(delimiter = ';', value = {
      "mlp:64,32;   1; 28; float",
      "linear;      1; 28; float",
      "cnn:8,16,32; 1; 28; float",
      "mlp:64;      3; 12; float",
      "cnn:8,16,32; 3; 16; float",
      "mlp:64,32;   1; 28; binary",
      "mlp:64,32;   1; 28; binary:per-unit",
      "mlp:64,32;   1; 28; tiled:4,min=0",
      "cnn:8,16,32; 3; 16; tiled:4,min=0",
  })
  void imageModelsAgree(String spec, int channels, int side, String weights) throws OrtException {
    int classes = 10;
    Architecture arch = Architecture.parse(spec, channels, side, side, classes);
    PackedModel model = randomModel(arch, WeightMode.parse(weights), 7);
    Dataset images = randomImages(channels, side, classes, 11);
    List<String> names = List.of("tee", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot");
    byte[] onnx = OnnxExporter.export(model, new ModelInput.Images(names), Map.of("accuracy", "0.5"));

    float[] nhwc = new float[SAMPLES * arch.inputSize()];
    int[] all = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) all[i] = i;
    images.features(all, 0, SAMPLES, nhwc);
    float[] nchw = toNchw(nhwc, channels, side, side);

    try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
         OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw), new long[] {SAMPLES, channels, side, side});
         OrtSession.Result r = s.run(Map.of("image", x))) {
      assertAgrees(model, nhwc, names, r);
      assertThat(s.getMetadata().getCustomMetadata())
          .containsEntry("ipa.peer", "peer-3")
          .containsEntry("ipa.round", "12")
          .containsEntry("ipa.weight-mode", WeightMode.parse(weights).toString())
          .containsEntry("ipa.setting.federation.algorithm", "ipa")
          .containsEntry("ipa.metric.accuracy", "0.5")
          .containsEntry("ipa.input.scaling", OnnxExporter.IMAGE_SCALING);
    }
  }

  @ParameterizedTest(name = "{0} on a table with categorical and missing values")
  @CsvSource(delimiter = ';', value = {"mlp:32,16", "linear"})
  void tabularModelsAgree(String spec) throws IOException, OrtException {
    writeTable(dir.resolve("train.csv"), 600, false, 3);
    writeTable(dir.resolve("test.csv"), SAMPLES, true, 5);
    TableSource.Rows rows = TableSource.read(dir.toString(), new TableSource.Options("outcome", java.util.Set.of(), 0.2, 0, null, null));
    TableSchema schema = TableStatistics.pool(List.of(rows.statistics()));
    assertThat(schema.columns()).extracting(TableSchema.Column::type).contains(TableSchema.ColumnType.NUMERIC, TableSchema.ColumnType.CATEGORICAL);
    assertThat(schema.columns()).anyMatch(TableSchema.Column::missingIndicator);
    Dataset test = rows.encode(schema).data().test();
    assertThat(test.count()).isEqualTo(SAMPLES);

    Architecture arch = Architecture.parse(spec, 1, 1, schema.encodedWidth(), schema.classes().size());
    PackedModel model = randomModel(arch, WeightMode.FLOAT, 5);
    byte[] onnx = OnnxExporter.export(model, new ModelInput.Tabular(schema), Map.of());

    float[] x = new float[SAMPLES * arch.inputSize()];
    int[] all = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) all[i] = i;
    test.features(all, 0, SAMPLES, x);

    Map<String, OnnxTensor> inputs = new HashMap<>();
    try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions())) {
      for (TableSchema.Column c : schema.columns()) {
        Table.Column col = rows.test().column(c.name(), "test");
        if (col instanceof Table.Numbers n) {
          float[] v = new float[SAMPLES];
          for (int i = 0; i < SAMPLES; i++) v[i] = n.values()[rows.testRows()[i]];
          inputs.put(c.name(), OnnxTensor.createTensor(env, FloatBuffer.wrap(v), new long[] {SAMPLES, 1}));
        } else {
          Table.Codes codes = (Table.Codes) col;
          String[] v = new String[SAMPLES];
          for (int i = 0; i < SAMPLES; i++) {
            String value = codes.value(rows.testRows()[i]);
            v[i] = value == null ? "" : value;
          }
          inputs.put(c.name(), OnnxTensor.createTensor(env, v, new long[] {SAMPLES, 1}));
        }
      }
      try (OrtSession.Result r = s.run(inputs)) {
        assertAgrees(model, x, schema.classes(), r);
      }
      assertThat(s.getMetadata().getCustomMetadata()).containsEntry("ipa.schema.hash", schema.hash()).containsEntry("ipa.input", "table");
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Test
  void aSchemaOfAnotherWidthIsRefusedWithASentence() {
    TableSchema schema = new TableSchema(List.of(TableSchema.Column.numeric("age", 40, 10, false)), "y", List.of("a", "b"));
    PackedModel model = randomModel(Architecture.parse("linear", 1, 1, 3, 2), WeightMode.FLOAT, 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OnnxExporter.export(model, new ModelInput.Tabular(schema), Map.of()))
        .hasMessage("The schema encodes 1 inputs but the model linear 3-2 takes 3; export with the schema the model was trained on.");
  }

  private static void assertAgrees(PackedModel model, float[] platformInput, List<String> names, OrtSession.Result r) throws OrtException {
    int k = model.architecture().classes();
    Network net = model.toNetwork();
    INDArray x = Nd4j.create(DataType.FLOAT, SAMPLES, model.architecture().inputSize());
    x.data().asNioFloat().put(0, platformInput);
    int[] labels = new int[SAMPLES];
    float[] probabilities = new float[SAMPLES * k];
    net.predict(x, SAMPLES, labels, probabilities);

    String[] onnxLabels = (String[]) r.get("label").orElseThrow().getValue();
    float[][] onnxProbabilities = (float[][]) r.get("probabilities").orElseThrow().getValue();
    assertThat(onnxLabels).hasSize(SAMPLES);
    double worst = 0;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < SAMPLES; i++) {
      assertThat(onnxLabels[i]).as("label of sample %d", i).isEqualTo(names.get(labels[i]));
      seen.add(onnxLabels[i]);
      for (int c = 0; c < k; c++) worst = Math.max(worst, Math.abs(onnxProbabilities[i][c] - probabilities[i * k + c]));
    }
    assertThat(worst).as("largest probability difference").isLessThanOrEqualTo(TOLERANCE);
    // More than one class predicted: a constant graph would not pass the label check by luck.
    assertThat(seen).hasSizeGreaterThan(1);
  }

  /** A model whose every parameter (biases included) is random, packed in {@code mode} as training would pack it. */
  static PackedModel randomModel(Architecture arch, WeightMode mode, long seed) {
    Network net = Network.create(arch, seed, mode.transforms(arch));
    float[] theta = net.copyParams();
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < theta.length; i++) theta[i] += (float) (rng.nextDouble() - 0.5) * 0.2f;
    net.setParams(theta);
    TreeMap<String, String> settings = new TreeMap<>(Map.of("federation.algorithm", "ipa", "compression.codec", "sign"));
    ModelProvenance p = new ModelProvenance("peer-3", 12, seed, settings, "test", new TreeMap<>(Map.of("peer-1", 5L)));
    return PackedModel.pack(net, mode, p);
  }

  static Dataset randomImages(int channels, int side, int classes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    byte[] pixels = new byte[SAMPLES * channels * side * side];
    for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) rng.nextInt(256);
    byte[] labels = new byte[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) labels[i] = (byte) rng.nextInt(classes);
    return Dataset.of("random", channels, side, side, classes, pixels, labels);
  }

  static float[] toNchw(float[] nhwc, int c, int h, int w) {
    float[] out = new float[nhwc.length];
    int n = nhwc.length / (c * h * w);
    for (int s = 0; s < n; s++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) out[((s * c + ch) * h + y) * w + x] = nhwc[((s * h + y) * w + x) * c + ch];
        }
      }
    }
    return out;
  }

  /**
   * A table with two numeric columns (one with missing cells), two categorical (one with missing cells; the test
   * file also has a colour the training file lacks) and a three-class label.
   */
  static void writeTable(Path file, int rows, boolean test, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    String[] colours = test ? new String[] {"red", "green", "blue", "purple"} : new String[] {"red", "green", "blue"};
    String[] cities = {"Oslo", "Lima", "Pune", "Kyiv", "Accra"};
    String[] outcomes = {"low", "mid", "high"};
    List<String> lines = new ArrayList<>();
    lines.add("age,income,colour,city,outcome");
    for (int i = 0; i < rows; i++) {
      String age = rng.nextInt(8) == 0 ? "" : Integer.toString(18 + rng.nextInt(60));
      String income = String.format(java.util.Locale.ROOT, "%.2f", 1000 + rng.nextDouble() * 9000);
      String colour = rng.nextInt(10) == 0 ? "NA" : colours[rng.nextInt(colours.length)];
      String city = cities[rng.nextInt(cities.length)];
      lines.add(age + "," + income + "," + colour + "," + city + "," + outcomes[i % 3]);
    }
    Files.write(file, lines);
  }
}
