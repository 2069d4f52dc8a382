package dev.ipa.sim.cli;

import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ipa train}: trains one model on one machine, without any federation. */
@Command(name = "train", description = "Train one model on the chosen data (no federation); writes report.json and accuracy.png.")
public final class TrainCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DataOption data;

  @Option(names = "--model", defaultValue = "mlp", description = "mlp (784-200-200-10 on Fashion-MNIST), mlp:H1,H2,..., or cnn. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--epochs", defaultValue = "5", description = "Passes over the training set. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--batch", defaultValue = "50", description = "Mini-batch size. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
  double lr;

  @Option(names = "--seed", defaultValue = "0", description = "Seed for initialisation and shuffling. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: runs/train-<time>.")
  String out;

  @Override
  public void run() {
    if (epochs < 1) throw new IllegalArgumentException("--epochs must be ≥ 1, got " + epochs + ".");
    PrintWriter o = spec.commandLine().getOut();
    TrainTest tt = data.load();
    o.println("Data: " + tt.describe());
    Architecture arch = Architecture.parse(model, 1, tt.train().rows(), tt.train().cols(), tt.train().numClasses());
    Network net = Network.create(arch, seed);
    int[] all = new int[tt.train().count()];
    for (int i = 0; i < all.length; i++) all[i] = i;
    LocalTrainer trainer = new LocalTrainer(net, tt.train(), all, batch, lr, seed);
    Path dir = Reports.runDirectory(out, "train");
    o.printf("Model: %s (%,d parameters), Adam lr %s, batch %d, seed %d, %d epochs%n", arch.describe(), net.parameterCount(), lr, batch, seed, epochs);
    o.flush();

    List<Map<String, Object>> history = new ArrayList<>();
    int steps = trainer.stepsPerEpoch();
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
      row.put("seconds", seconds);
      row.put("stepsPerSecond", steps / seconds);
      history.add(row);
      o.printf("epoch %d/%d  train loss %.4f  test accuracy %.4f  test loss %.4f  (%.1f s, %.0f steps/s)%n",
          e, epochs, loss / all.length, test.accuracy(), test.meanLoss(), seconds, steps / seconds);
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
    config.put("data", tt.describe());
    report.put("config", config);
    report.put("epochs", history);
    report.put("final", history.get(history.size() - 1));
    report.put("totalSeconds", (System.nanoTime() - started) / 1e9);
    Reports.writeJson(dir.resolve("report.json"), report);
    double[] xs = history.stream().mapToDouble(r -> ((Number) r.get("epoch")).doubleValue()).toArray();
    double[] ys = history.stream().mapToDouble(r -> (Double) r.get("testAccuracy")).toArray();
    Reports.lineChart(dir.resolve("accuracy.png"), "Test accuracy, " + arch.describe(), "epoch", "test accuracy", Map.of("test accuracy", new double[][] {xs, ys}));

    Table t = new Table("epoch", "train loss", "test accuracy", "test loss", "seconds");
    for (Map<String, Object> r : history) {
      t.row(r.get("epoch"), String.format("%.4f", r.get("trainLoss")), String.format("%.4f", r.get("testAccuracy")),
          String.format("%.4f", r.get("testLoss")), String.format("%.1f", r.get("seconds")));
    }
    o.println();
    o.print(t);
    o.println("Wrote " + dir.resolve("report.json") + " and " + dir.resolve("accuracy.png"));
    o.flush();
  }
}
