package dev.ipa.sim.cli;

import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Metric;
import dev.ipa.alignment.train.ClassWeighting;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.quant.LayerPlan;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.onnx.ModelInputs;
import dev.ipa.onnx.OnnxExporter;
import dev.ipa.alignment.quant.WeightMode;
import dev.ipa.alignment.train.GradientPenalty;
import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.sim.report.Reports;
import dev.ipa.sim.report.Table;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ipa train}: trains one model on one machine, without any federation. */
@Command(name = "train", description = "Train one model on the chosen data (no federation); writes report.json and accuracy.png.")
public final class TrainCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DataOption data;
  @Mixin MetricOptions metrics;

  @Option(names = "--model", defaultValue = LocalTrainer.DEFAULT_MODEL, description = "mlp (784-200-200-10 on Fashion-MNIST), mlp:H1,H2,..., linear (multinomial logistic regression) or cnn. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--epochs", defaultValue = "5", description = "Passes over the training set. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--batch", defaultValue = "" + LocalTrainer.DEFAULT_BATCH, description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--lr", defaultValue = "" + LocalTrainer.DEFAULT_LEARNING_RATE, description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
  double lr;

  @Option(names = "--seed", defaultValue = "0", description = "Seed for initialisation and shuffling. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--weights", defaultValue = LocalTrainer.DEFAULT_WEIGHTS, paramLabel = "MODE",
      description = "Weight storage: float, binary, binary:per-unit or tiled:P, with options ,min=N ,first=KIND ,last=KIND ,ste=clipped|identity. Default: ${DEFAULT-VALUE}.")
  String weights;

  @Option(names = "--export", paramLabel = "FILE", description = "After training, write the model here: ONNX when FILE ends in .onnx, otherwise the packed format (inspect it with 'ipa model inspect').")
  String export;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: runs/train-<time>.")
  String out;

  @Override
  public void run() {
    if (epochs < 1) throw new IllegalArgumentException("--epochs must be ≥ 1, got " + epochs + ".");
    PrintWriter o = spec.commandLine().getOut();
    TrainTest tt = data.load(seed);
    o.println("Data: " + tt.describe());
    tt.warnings().forEach(w -> o.println("Warning: " + w));
    data.warnings().forEach(w -> o.println("Warning: " + w));
    Metric lead = metrics.lead().checkDefinedFor(tt.train().numClasses());
    List<Metric> shown = new ArrayList<>(List.of(lead));
    for (Metric m : Metric.values()) if (m != lead && m.definedFor(tt.train().numClasses())) shown.add(m);
    Architecture arch = Architecture.parse(model, tt.train().channels(), tt.train().rows(), tt.train().cols(), tt.train().numClasses());
    WeightMode mode = WeightMode.parse(weights);
    Network net = Network.create(arch, seed, mode.transforms(arch));
    int[] all = new int[tt.train().count()];
    for (int i = 0; i < all.length; i++) all[i] = i;
    ClassWeighting weighting = metrics.classWeighting();
    net.setClassWeights(weighting.weights(tt.train(), all));
    LocalTrainer trainer = new LocalTrainer(net, tt.train(), all, batch, lr, seed);
    Path dir = Reports.runDirectory(out, "train");
    if (data.loadedSchema() != null) {
      try {
        dev.ipa.alignment.table.SchemaJson.write(data.loadedSchema(), dir.resolve("schema.json"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("Could not write " + dir.resolve("schema.json") + ": " + e.getMessage(), e);
      }
    }
    o.printf("Model: %s (%,d parameters), Adam lr %s, batch %d, seed %d, %s%n", arch.describe(), net.parameterCount(), lr, batch, seed, Counted.of(epochs, "epoch"));
    if (!mode.equals(WeightMode.FLOAT)) {
      StringBuilder layers = new StringBuilder();
      for (LayerPlan l : mode.plan(arch)) layers.append(layers.length() == 0 ? "" : ", ").append(l.name()).append(' ').append(l.mode());
      o.println("Weights: " + mode + " (" + layers + ")");
    }
    o.flush();

    List<Map<String, Object>> history = new ArrayList<>();
    int steps = trainer.stepsPerEpoch();
    // Accuracy before training starts the plot, so even a 1-epoch run draws a line; evaluation draws no random numbers.
    double untrained = LocalTrainer.evaluate(net, tt.test(), null).accuracy();
    long started = System.nanoTime();
    for (int e = 1; e <= epochs; e++) {
      long t0 = System.nanoTime();
      double loss = 0;
      try (Progress bar = Progress.start("epoch " + e + "/" + epochs, steps)) {
        for (int done = 0; done < steps; ) {
          int chunk = Math.min(25, steps - done);
          loss += trainer.trainSteps(chunk, GradientPenalty.NONE);
          done += chunk;
          bar.stepTo(done);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Evaluation test = LocalTrainer.evaluate(net, tt.test(), null);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("epoch", e);
      row.put("trainLoss", loss / all.length);
      row.put("testAccuracy", test.accuracy());
      row.put("testLoss", test.meanLoss());
      row.put("testBalancedAccuracy", test.balancedAccuracy());
      row.put("testMacroF1", test.macroF1());
      if (!Double.isNaN(test.auc())) row.put("testAuc", test.auc());
      row.put("seconds", seconds);
      row.put("stepsPerSecond", steps / seconds);
      history.add(row);
      StringBuilder figures = new StringBuilder();
      for (Metric m : shown) figures.append(String.format("  test %s %.4f", m.id(), m.of(test)));
      o.printf("epoch %d/%d  train loss %.4f%s  test loss %.4f  (%.1f s, %.0f steps/s)%n",
          e, epochs, loss / all.length, figures, test.meanLoss(), seconds, steps / seconds);
      o.flush();
    }

    Map<String, Object> report = new LinkedHashMap<>();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("model", arch.describe());
    config.put("parameters", net.parameterCount());
    config.put("epochs", epochs);
    config.put("batch", batch);
    config.put("learningRate", lr);
    config.put("seed", seed);
    config.put("weights", mode.toString());
    config.put("metric", lead.id());
    config.put("classWeights", weighting.toString());
    config.put("data", tt.describe());
    report.put("config", config);
    report.put("epochs", history);
    report.put("final", history.get(history.size() - 1));
    report.put("totalSeconds", (System.nanoTime() - started) / 1e9);
    if (export != null) report.put("export", export(net, mode, tt, o));
    Reports.writeJson(dir.resolve("report.json"), report);
    double[] xs = new double[history.size() + 1];
    double[] ys = new double[history.size() + 1];
    ys[0] = untrained;
    for (int i = 0; i < history.size(); i++) {
      xs[i + 1] = ((Number) history.get(i).get("epoch")).doubleValue();
      ys[i + 1] = (Double) history.get(i).get("testAccuracy");
    }
    report.put("untrainedTestAccuracy", untrained);
    Reports.lineChart(dir.resolve("accuracy.png"), "Test accuracy: " + DataOption.shortName(tt) + ", " + arch.describe() + ", weights " + mode,
        "epoch (0 = before training)", "test accuracy", Map.of("test accuracy", new double[][] {xs, ys}));

    Map<String, double[][]> metricLines = new LinkedHashMap<>();
    List<String> head = new ArrayList<>(List.of("epoch", "train loss"));
    for (Metric m : shown) {
      head.add("test " + m.label());
      double[] mx = new double[history.size()];
      double[] my = new double[history.size()];
      for (int i = 0; i < history.size(); i++) {
        mx[i] = i + 1;
        my[i] = ((Number) history.get(i).get(JSON_KEYS.get(m))).doubleValue();
      }
      metricLines.put(m.id(), new double[][] {mx, my});
    }
    head.addAll(List.of("test loss", "seconds"));
    Reports.lineChart(dir.resolve("metrics.png"), "Test metrics: " + DataOption.shortName(tt) + ", " + arch.describe() + ", weights " + mode,
        "epoch", "metric", metricLines);
    Table t = new Table(head.toArray(String[]::new));
    for (Map<String, Object> r : history) {
      List<Object> cells = new ArrayList<>(List.of(r.get("epoch"), String.format("%.4f", r.get("trainLoss"))));
      for (Metric m : shown) cells.add(String.format("%.4f", r.get(JSON_KEYS.get(m))));
      cells.add(String.format("%.4f", r.get("testLoss")));
      cells.add(String.format("%.1f", r.get("seconds")));
      t.row(cells.toArray());
    }
    o.println();
    o.print(t);
    o.println("Wrote " + dir.resolve("report.json") + ", " + dir.resolve("accuracy.png") + " and " + dir.resolve("metrics.png"));
    o.flush();
  }

  /** Each metric's key in an epoch's entry of report.json. */
  private static final Map<Metric, String> JSON_KEYS = Map.of(Metric.ACCURACY, "testAccuracy", Metric.BALANCED_ACCURACY, "testBalancedAccuracy",
      Metric.MACRO_F1, "testMacroF1", Metric.AUC, "testAuc");

  private Map<String, Object> export(Network net, WeightMode mode, TrainTest tt, PrintWriter o) {
    TreeMap<String, String> settings = new TreeMap<>();
    settings.put("train.weights", mode.toString());
    settings.put("train.epochs", Integer.toString(epochs));
    settings.put("train.batch", Integer.toString(batch));
    settings.put("train.learning-rate", Double.toString(lr));
    // What the model takes travels with it, so model export and predict need nothing else.
    if (data.loadedSchema() != null) settings.putAll(ModelInputs.settings(data.loadedSchema()));
    else if (!tt.kind().equals("Fashion-MNIST")) settings.putAll(ModelInputs.settings(tt.classNames()));
    String version = Ipa.class.getPackage().getImplementationVersion();
    ModelProvenance provenance = new ModelProvenance("local", 0, seed, settings, version == null ? "development build" : version, new TreeMap<>());
    PackedModel packed = PackedModel.pack(net, mode, provenance);
    Path file = Path.of(export);
    // Compressed layers store fp16 biases, so the exported model can differ from the trained one; say by how much.
    int[] trained = new int[tt.test().count()];
    int[] exported = new int[tt.test().count()];
    LocalTrainer.evaluate(net, tt.test(), null, trained);
    Evaluation e = LocalTrainer.evaluate(packed.toNetwork(), tt.test(), null, exported);
    int differ = 0;
    for (int i = 0; i < trained.length; i++) if (trained[i] != exported[i]) differ++;
    // A .onnx name asks for ONNX (the ecosystem's format); anything else gets the packed format.
    boolean onnx = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
    int bytes;
    if (onnx) {
      byte[] graph = OnnxExporter.export(packed, ModelInputs.of(packed, export, null), Map.of("test-accuracy", Double.toString(e.accuracy())));
      ModelCommand.write(file, graph);
      bytes = graph.length;
    } else {
      ModelCommand.write(file, packed);
      bytes = packed.fileSize();
    }
    o.printf("Exported %s%s: %,d bytes (fp32 %,d bytes, 1/%.1f), test accuracy %.4f, %d of %d predictions differ from the trained model%n",
        file, onnx ? " (ONNX)" : "", bytes, packed.fp32Bytes(), packed.fp32Bytes() / (double) bytes, e.accuracy(), differ, trained.length);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("file", file.toString());
    r.put("format", onnx ? "onnx" : "packed");
    r.put("bytes", bytes);
    r.put("fp32Bytes", packed.fp32Bytes());
    r.put("testAccuracy", e.accuracy());
    r.put("predictionsDifferingFromTrained", differ);
    return r;
  }
}
