package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.quant.WeightMode;
import dev.ipa.alignment.table.SchemaJson;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.alignment.table.TableSource;
import dev.ipa.alignment.table.TableStatistics;
import dev.ipa.onnx.ModelInputs;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code ipa model predict} and {@code ipa model export} on a table model and an image model, and their bad input. */
class ModelPredictCommandTest {
  @TempDir static Path dir;
  static Path tableModel;
  static Path labelled;
  static TableSchema schema;
  static PackedModel packed;

  @BeforeAll
  static void aTableModel() throws IOException {
    labelled = dir.resolve("labelled.csv");
    List<String> lines = new ArrayList<>(List.of("id,age,income,colour,outcome"));
    SplittableRandom rng = new SplittableRandom(1);
    String[] colours = {"red", "green", "blue", "NA", "purple"};
    for (int i = 0; i < 300; i++) {
      String age = rng.nextInt(7) == 0 ? "" : Integer.toString(18 + rng.nextInt(60));
      lines.add("r" + i + "," + age + "," + String.format(Locale.ROOT, "%.1f", rng.nextDouble() * 5000) + "," + colours[rng.nextInt(4)] + ","
          + (i % 3 == 0 ? "low" : "high"));
    }
    Files.write(labelled, lines);
    TableSource.Rows rows = TableSource.read(labelled.toString(), new TableSource.Options("outcome", Set.of("id"), 0.5, 0, null, null));
    schema = TableStatistics.pool(List.of(rows.statistics()));
    Architecture arch = Architecture.parse("mlp:16", 1, 1, schema.encodedWidth(), 2);
    Network net = Network.create(arch, 4);
    float[] theta = net.copyParams();
    for (int i = 0; i < theta.length; i++) theta[i] += (float) (rng.nextDouble() - 0.5) * 0.5f;
    net.setParams(theta);
    TreeMap<String, String> settings = new TreeMap<>(ModelInputs.settings(schema));
    packed = PackedModel.pack(net, WeightMode.FLOAT, new ModelProvenance("peer-1", 3, 4, settings, "test", new TreeMap<>()));
    tableModel = dir.resolve("table.ipaq");
    Files.write(tableModel, packed.toBytes());
  }

  @Test
  void predictsEveryRowAsThePlatformDoesWithIdsAndProbabilities() throws IOException {
    Path out = dir.resolve("pred.csv");
    CliRun run = CliRun.of("model", "predict", tableModel.toString(), "--data", labelled.toString(), "--out", out.toString(), "--id", "id");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Predicted 300 rows in");
    List<String> got = Files.readAllLines(out);
    assertThat(got.get(0)).isEqualTo("id,label,p(high),p(low)");
    assertThat(got).hasSize(301);

    // The reference: the training path (TableEncoder) and the network's own forward pass.
    TableSource.Rows rows = TableSource.read(labelled.toString(), new TableSource.Options("outcome", Set.of("id"), 0.5, 0, schema, null));
    Dataset all = dev.ipa.alignment.table.TableEncoder.encode("all", rows.train(), rows.train().allRows(), schema).dataset();
    float[] x = new float[300 * schema.encodedWidth()];
    int[] idx = rows.train().allRows();
    all.features(java.util.stream.IntStream.range(0, 300).toArray(), 0, 300, x);
    INDArray in = Nd4j.create(DataType.FLOAT, 300, schema.encodedWidth());
    in.data().asNioFloat().put(0, x);
    int[] labels = new int[300];
    float[] p = new float[600];
    packed.toNetwork().predict(in, 300, labels, p);
    for (int i = 0; i < 300; i++) {
      assertThat(got.get(i + 1)).isEqualTo("r" + idx[i] + "," + schema.classes().get(labels[i]) + "," + p[2 * i] + "," + p[2 * i + 1]);
    }
  }

  @Test
  void anUnreadableRowIsReportedWithItsLineAndSkippedOrFailsWithStrict() throws IOException {
    Path data = dir.resolve("bad-row.csv");
    Files.write(data, List.of("age,income,colour", "30,100,red", "forty,200,blue", "50,300", "60,,green"));
    Path out = dir.resolve("bad-row-pred.csv");
    CliRun run = CliRun.of("model", "predict", tableModel.toString(), "--data", data.toString(), "--out", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("Skipped line 3 of " + data + ": Column age holds 'forty', which is not a finite number; the model's schema makes it numeric.")
        .contains("Skipped line 4 of " + data + " has 2 cells but the header has 3");
    assertThat(run.out()).contains("Predicted 2 rows").contains("skipped 2 that could not be read");
    assertThat(Files.readAllLines(out)).hasSize(3).element(1).asString().startsWith("2,");
    assertThat(Files.readAllLines(out).get(2)).startsWith("5,");

    CliRun strict = CliRun.of("model", "predict", tableModel.toString(), "--data", data.toString(), "--out", dir.resolve("strict.csv").toString(), "--strict");
    assertThat(strict.exitCode()).isEqualTo(2);
    assertThat(strict.err().strip()).isEqualTo("ipa model predict: line 3 of " + data + ": Column age holds 'forty', which is not a finite number; "
        + "the model's schema makes it numeric. (--strict stops at the first bad row; leave it out to skip such rows).");
    assertThat(dir.resolve("strict.csv")).doesNotExist();
  }

  @Test
  void aMissingColumnIsNamed() throws IOException {
    Path data = dir.resolve("no-income.csv");
    Files.write(data, List.of("age,colour", "30,red"));
    CliRun run = CliRun.of("model", "predict", tableModel.toString(), "--data", data.toString(), "--out", dir.resolve("x.csv").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("ipa model predict: " + data + " lacks the column income, which the model's schema needs; add it (empty cells count as missing).");
  }

  @Test
  void aSchemaThatDiffersFromTheModelsNamesTheColumn() throws IOException {
    List<TableSchema.Column> cols = new ArrayList<>(schema.columns());
    TableSchema.Column c = cols.get(1);
    cols.set(1, TableSchema.Column.numeric(c.name(), c.mean() + 1, c.sd(), c.missingIndicator()));
    Path other = dir.resolve("other-schema.json");
    SchemaJson.write(new TableSchema(cols, schema.label(), schema.classes()), other);
    CliRun run = CliRun.of("model", "export", tableModel.toString(), "--schema", other.toString(), "--out", dir.resolve("m.onnx").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).startsWith("ipa model export: The schema given differs from the one " + tableModel + " was trained with: column income has mean");
  }

  @Test
  void aFileThatIsNotAModelAndAnUnknownFormatAreOneSentence() throws IOException {
    Path notAModel = dir.resolve("notes.txt");
    Files.writeString(notAModel, "hello, this is not a model");
    CliRun run = CliRun.of("model", "predict", notAModel.toString(), "--data", labelled.toString(), "--out", dir.resolve("y.csv").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("ipa model predict: Model file " + notAModel + " is not a packed IPA model (its first bytes are not \"IPAQ\").");
    CliRun format = CliRun.of("model", "export", tableModel.toString(), "--format", "pmml", "--out", dir.resolve("m.pmml").toString());
    assertThat(format.exitCode()).isEqualTo(2);
    assertThat(format.err().strip()).isEqualTo("ipa model export: Unknown --format 'pmml'; the one export format is onnx.");
  }

  @Test
  void exportWritesOnnxWithTheSchemaInItsMetadata() throws IOException {
    Path onnx = dir.resolve("table.onnx");
    CliRun run = CliRun.of("model", "export", tableModel.toString(), "--format", "onnx", "--out", onnx.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("inputs: 3 named columns (" + schema.encodedWidth() + " encoded features); outputs: label, probabilities");
    String text = new String(Files.readAllBytes(onnx), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(text).contains("ipa.schema.hash").contains(schema.hash()).contains("LabelEncoder");
  }

  @Test
  void predictsAFolderOfImagesAndSkipsADamagedOne() throws IOException {
    Architecture arch = Architecture.parse("linear", 3, 8, 8, 3);
    TreeMap<String, String> settings = new TreeMap<>(ModelInputs.settings(List.of("cat", "dog", "eel")));
    PackedModel m = PackedModel.pack(Network.create(arch, 2), WeightMode.FLOAT, new ModelProvenance("local", 0, 2, settings, "test", new TreeMap<>()));
    Path model = dir.resolve("images.ipaq");
    Files.write(model, m.toBytes());
    Path images = Files.createDirectories(dir.resolve("images/sub"));
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < 5; i++) {
      BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) img.setRGB(x, y, rng.nextInt(1 << 24));
      ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
    }
    Files.write(images.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Path out = dir.resolve("images.csv");
    CliRun run = CliRun.of("model", "predict", model.toString(), "--data", dir.resolve("images").toString(), "--out", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("Skipped The image " + images.resolve("broken.png"));
    List<String> got = Files.readAllLines(out);
    assertThat(got.get(0)).isEqualTo("id,label,p(cat),p(dog),p(eel)");
    assertThat(got).hasSize(6);
    assertThat(got.get(1)).matches("sub/img0\\.png,(cat|dog|eel),[0-9.E-]+,[0-9.E-]+,[0-9.E-]+");

    CliRun wrongKind = CliRun.of("model", "predict", model.toString(), "--data", labelled.toString(), "--out", dir.resolve("z.csv").toString());
    assertThat(wrongKind.exitCode()).isEqualTo(2);
    assertThat(wrongKind.err()).contains("is an image model (it records no table schema)");
  }

  @Test
  void theExportedGraphOnRawColumnsAgreesWithPredict() throws Exception {
    Path onnx = dir.resolve("agree.onnx");
    Path out = dir.resolve("agree.csv");
    assertThat(CliRun.of("model", "export", tableModel.toString(), "--out", onnx.toString()).exitCode()).isZero();
    assertThat(CliRun.of("model", "predict", tableModel.toString(), "--data", labelled.toString(), "--out", out.toString()).exitCode()).isZero();
    List<String> predicted = Files.readAllLines(out);
    List<String> rows = Files.readAllLines(labelled);
    int n = rows.size() - 1;
    float[] age = new float[n];
    float[] income = new float[n];
    String[] colour = new String[n];
    for (int i = 0; i < n; i++) {
      String[] cells = rows.get(i + 1).split(",", -1);
      age[i] = cells[1].isEmpty() ? Float.NaN : Float.parseFloat(cells[1]);
      income[i] = Float.parseFloat(cells[2]);
      colour[i] = cells[3];
    }
    var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
    try (var session = env.createSession(onnx.toString(), new ai.onnxruntime.OrtSession.SessionOptions());
         var a = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(age), new long[] {n, 1});
         var b = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(income), new long[] {n, 1});
         var c = ai.onnxruntime.OnnxTensor.createTensor(env, colour, new long[] {n, 1});
         var result = session.run(java.util.Map.of("age", a, "income", b, "colour", c))) {
      String[] labels = (String[]) result.get("label").orElseThrow().getValue();
      float[][] p = (float[][]) result.get("probabilities").orElseThrow().getValue();
      for (int i = 0; i < n; i++) {
        String[] line = predicted.get(i + 1).split(",");
        assertThat(labels[i]).as("row %d", i).isEqualTo(line[1]);
        assertThat((double) p[i][0]).isCloseTo(Double.parseDouble(line[2]), org.assertj.core.data.Offset.offset(1e-5));
      }
    }
  }

  @Test
  void trainAndSimulateExportOnnxFilesARuntimeOpens() throws Exception {
    Path model = dir.resolve("trained.onnx");
    CliRun train = CliRun.of("train", "--data", "embedded", "--epochs", "1", "--export", model.toString(), "--out", dir.resolve("train-run").toString());
    assertThat(train.exitCode()).as(train.err()).isZero();
    assertThat(train.out()).contains("Exported " + model + " (ONNX)");
    Path exports = dir.resolve("exports");
    CliRun sim = CliRun.of("simulate", "--data", "embedded", "--peers", "2", "--rounds", "1", "--no-standalone", "--export-dir", exports.toString(),
        "--out", dir.resolve("sim-run").toString());
    assertThat(sim.exitCode()).as(sim.err()).isZero();
    var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
    try (var s = env.createSession(model.toString(), new ai.onnxruntime.OrtSession.SessionOptions())) {
      assertThat(s.getMetadata().getCustomMetadata()).containsEntry("ipa.peer", "local").containsKey("ipa.metric.test-accuracy")
          .containsEntry("ipa.setting.train.epochs", "1");
      assertThat(s.getInputNames()).containsExactly("image");
    }
    try (var stream = Files.list(exports.resolve("ipa"))) {
      assertThat(stream.map(f -> f.getFileName().toString()).sorted().toList()).containsExactly("peer0.onnx", "peer1.onnx");
    }
    try (var s = env.createSession(exports.resolve("ipa/peer1.onnx").toString(), new ai.onnxruntime.OrtSession.SessionOptions())) {
      assertThat(s.getMetadata().getCustomMetadata()).containsEntry("ipa.peer", "peer1").containsEntry("ipa.round", "1")
          .containsEntry("ipa.setting.federation.algorithm", "ipa").containsKey("ipa.setting.compression.codec").containsKey("ipa.metric.test-accuracy");
    }
  }
}
