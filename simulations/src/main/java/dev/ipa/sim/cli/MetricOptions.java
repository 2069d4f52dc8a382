package dev.ipa.sim.cli;

import dev.ipa.alignment.model.Metric;
import dev.ipa.alignment.protocol.EarlyStop;
import dev.ipa.alignment.train.ClassWeighting;
import picocli.CommandLine.Option;

/** {@code --metric} and {@code --class-weights}, shared by {@code train} and {@code simulate}. */
public final class MetricOptions {
  @Option(names = "--metric", paramLabel = "M",
      description = "What the tables lead with and, when given, what --early-stop watches (target and patience, on the validation split): "
          + "accuracy, balanced-accuracy, macro-f1 or auc (two classes). Default: accuracy, with patience on the validation loss.")
  String metric;

  @Option(names = "--class-weights", defaultValue = "none", paramLabel = "MODE",
      description = "none, or balanced: each class's training rows weigh n / (classes · n_c), for imbalanced labels (per peer, from its own rows). Default: ${DEFAULT-VALUE}.")
  String classWeights;

  /** The metric the tables lead with. */
  Metric lead() {
    return metric == null ? Metric.ACCURACY : Metric.parse(metric);
  }

  /** {@code policy} watching the chosen metric, or unchanged without {@code --metric}. */
  EarlyStop earlyStop(EarlyStop policy) {
    return metric == null || policy.metric() != null ? policy : policy.watching(Metric.parse(metric));
  }

  ClassWeighting classWeighting() {
    return ClassWeighting.parse(classWeights);
  }
}
