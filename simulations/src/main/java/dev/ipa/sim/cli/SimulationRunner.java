package dev.ipa.sim.cli;

import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.model.WeightTransform;
import dev.ipa.alignment.protocol.Protocol;
import dev.ipa.sim.engine.Simulation;
import dev.ipa.sim.engine.SimulationConfig;
import dev.ipa.sim.engine.SimulationResult;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Runs simulations with progress: a bar on a terminal, a line per round otherwise. */
final class SimulationRunner {
  private final TrainTest data;
  private final PrintWriter out;

  private final java.util.List<dev.ipa.alignment.partition.Shard> shards;

  SimulationRunner(TrainTest data, PrintWriter out) {
    this(data, null, out);
  }

  /** A runner on shards cut beforehand (a table's peers), or null to cut them from each config's partition. */
  SimulationRunner(TrainTest data, java.util.List<dev.ipa.alignment.partition.Shard> shards, PrintWriter out) {
    this.data = data;
    this.shards = shards;
    this.out = out;
  }

  private java.nio.file.Path exportDir;
  private dev.ipa.alignment.table.TableSchema exportSchema;

  /**
   * Writes each peer's final model as ONNX to {@code dir/ALGORITHM/PEER.onnx} after every run; {@code schema} is
   * the table schema the peers agreed on (its preprocessing goes into the graph), or null for images.
   */
  SimulationRunner exportTo(java.nio.file.Path dir, dev.ipa.alignment.table.TableSchema schema) {
    this.exportDir = dir;
    this.exportSchema = schema;
    return this;
  }

  void validate(SimulationConfig config) {
    new Simulation(data, config, i -> WeightTransform.IDENTITY, shards).shards();
  }

  SimulationResult run(SimulationConfig config, String weights) {
    var train = data.train();
    var arch = dev.ipa.alignment.model.Architecture.parse(config.model(), train.channels(), train.rows(), train.cols(), train.numClasses());
    Function<Integer, WeightTransform> transforms = WeightModes.transforms(weights, arch);
    Simulation sim = new Simulation(data, config, transforms, shards);
    if (exportDir != null) {
      sim.withFinalModels(new PeerModelExport(exportDir.resolve(config.federation().algorithm().id()), config, weights, exportSchema, data.test(), out));
    }
    int rounds = config.federation().common().rounds();
    int peers = config.peers();
    String name = config.federation().algorithm().id();
    out.printf("%s: %s, %s, %s, %s ...%n", name, Counted.of(peers, "peer"), config.partition(), Counted.of(rounds, "round"), describe(config));
    out.flush();
    AtomicInteger done = new AtomicInteger();
    double[] accSum = new double[rounds];
    int[] accCount = new int[rounds];
    try (Progress bar = Progress.start(name, (long) rounds * peers)) {
      SimulationResult r = sim.run((peer, round, pr) -> {
        int d = done.incrementAndGet();
        bar.stepTo(d);
        synchronized (accSum) {
          if (!Double.isNaN(pr.accuracy())) {
            accSum[round] += pr.accuracy();
            accCount[round]++;
          }
          if (accCount[round] == peers) {
            String line = String.format("  %s round %d/%d: mean test accuracy %.4f", name, round + 1, rounds, accSum[round] / peers);
            bar.extra(line.trim());
            if (System.console() == null) {
              out.println(line);
              out.flush();
            }
          }
        }
      });
      out.printf("%s done in %.1f s: mean accuracy %.4f, min %.4f, personal %.4f%n", name, r.seconds(), r.meanAccuracy(), r.minAccuracy(), r.meanPersonalAccuracy());
      if (!config.attacks().isEmpty()) {
        double[] honest = r.meanAccuracyWithout(config.attacks().keySet());
        out.printf("%s honest peers (without %s): mean accuracy %.4f, personal %.4f%n", name, config.attacks(), honest[0], honest[1]);
      }
      if (config.federation().dp().enabled()) {
        double eps = r.finalRound().stream().mapToDouble(SimulationResult.PeerRound::epsilon).max().orElse(Double.NaN);
        out.printf("%s differential privacy %s: ε spent %.4f at δ = %s (largest over the peers)%n", name, config.federation().dp(), eps, config.federation().dp().delta());
      }
      out.flush();
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("The simulation was interrupted.", e);
    }
  }

  static String describe(SimulationConfig c) {
    var f = c.federation();
    var common = f.common();
    var ipa = f.ipa();
    return switch (f.algorithm()) {
      case IPA -> String.format("%sλ=%s %s %s%s%s%s%s, syncs=%d, codec=%s", common.protocol() == Protocol.RING ? "ring protocol, " : "", ipa.lambda(), ipa.distance(),
          ipa.weighting().name().toLowerCase(), ipa.normalise() ? " normalised" : "", ipa.extrapolate() > 0 ? ", γ=" + ipa.extrapolate() : "",
          ipa.mix() > 0 ? ", proximal mix=" + ipa.mix() : "", ipa.fairShare() ? ", fair share" : "", common.syncs(), common.codec().codec());
      case FEDPROX -> String.format("μ=%s, syncs=%d, codec=%s", f.fedProx().mu(), common.syncs(), common.codec().codec());
      case FEDAVG -> String.format("syncs=%d, codec=%s", common.syncs(), common.codec().codec());
      case LOCAL -> "no exchange";
      case DITTO -> String.format("λ=%s, syncs=%d, codec=%s", f.personal().dittoLambda(), common.syncs(), common.codec().codec());
      case FEDAVG_FT -> String.format("fine-tuning %s, syncs=%d, codec=%s", f.personal().selectsOnValidation()
          ? "≤ " + f.personal().fineTuneEpochs() + " epochs on validation" : f.personal().fineTuneSteps() + " steps",
          common.syncs(), common.codec().codec());
    };
  }
}
