package dev.ipa.sim.engine;

import dev.ipa.alignment.model.Metric;
import dev.ipa.alignment.partition.PartitionSpec;
import dev.ipa.alignment.train.ClassWeighting;
import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.transport.InMemoryNetwork;
import java.util.Map;
import java.util.Objects;

/**
 * One local multi-peer simulation: the federation settings plus what only a simulation has (the partition of
 * one data set into shards, fault injection). Validated on construction, before any training.
 *
 * @param peers              number of peers, ≥ 1
 * @param partition          how the training set is split
 * @param model              model spec (mlp, cnn, ...)
 * @param weights            compressed-weights mode of the local models (float, binary, tiled:P)
 * @param batch              mini-batch size
 * @param learningRate       Adam learning rate
 * @param validationFraction share of each shard kept for local validation
 * @param testFraction       share of each shard kept as its local test split: the personal accuracy figures
 * @param federation         the protocol settings every peer shares
 * @param faults             injected latency and drops
 * @param evaluateEvery      evaluate on the test set every this many rounds (and always the last)
 * @param transport          {@code memory} (in-process network) or {@code loopback} (Netty with mutual TLS,
 *                           one listener per peer on 127.0.0.1)
 * @param attacks            malicious peers by index (0-based, in peer order) and what each does
 * @param metric             the figure the tables lead with (accuracy by default)
 * @param classWeighting     how each peer's training loss weights its classes
 */
public record SimulationConfig(
    int peers,
    PartitionSpec partition,
    String model,
    String weights,
    int batch,
    double learningRate,
    double validationFraction,
    double testFraction,
    FederationSettings federation,
    InMemoryNetwork.Faults faults,
    int evaluateEvery,
    String transport,
    Map<Integer, Attack> attacks,
    Metric metric,
    ClassWeighting classWeighting) {

  /** A simulation without attackers. */
  public SimulationConfig(int peers, PartitionSpec partition, String model, String weights, int batch, double learningRate,
      double validationFraction, double testFraction, FederationSettings federation, InMemoryNetwork.Faults faults, int evaluateEvery,
      String transport) {
    this(peers, partition, model, weights, batch, learningRate, validationFraction, testFraction, federation, faults, evaluateEvery, transport, Map.of());
  }

  /** Accuracy leads, unweighted loss. */
  public SimulationConfig(int peers, PartitionSpec partition, String model, String weights, int batch, double learningRate,
      double validationFraction, double testFraction, FederationSettings federation, InMemoryNetwork.Faults faults, int evaluateEvery,
      String transport, Map<Integer, Attack> attacks) {
    this(peers, partition, model, weights, batch, learningRate, validationFraction, testFraction, federation, faults, evaluateEvery, transport, attacks,
        Metric.ACCURACY, ClassWeighting.NONE);
  }

  public SimulationConfig {
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(federation, "federation");
    Objects.requireNonNull(faults, "faults");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(classWeighting, "classWeighting");
    attacks = Map.copyOf(attacks);
    for (int i : attacks.keySet()) {
      if (i < 0 || i >= peers) throw new IllegalArgumentException("--attack names peer " + i + ", but the peers are 0 to " + (peers - 1) + ".");
    }
    if (peers < 1) throw new IllegalArgumentException("A simulation needs at least 1 peer (--peers), got " + peers + ".");
    if (batch < 1) throw new IllegalArgumentException("The batch size must be ≥ 1, got " + batch + ".");
    if (!(learningRate > 0)) throw new IllegalArgumentException("The learning rate must be > 0, got " + learningRate + ".");
    if (!(validationFraction >= 0 && validationFraction < 1)) throw new IllegalArgumentException("The validation fraction must be in [0, 1), got " + validationFraction + ".");
    if (!(testFraction >= 0 && validationFraction + testFraction < 1)) {
      throw new IllegalArgumentException("The local test fraction (--local-test) must be at least 0 and leave samples to train on beside the validation "
          + "fraction " + validationFraction + ", got " + testFraction + ".");
    }
    if (evaluateEvery < 1) throw new IllegalArgumentException("evaluateEvery must be ≥ 1, got " + evaluateEvery + ".");
    if (!transport.equals("memory") && !transport.equals("loopback")) {
      throw new IllegalArgumentException("Unknown transport '" + transport + "'; use memory or loopback.");
    }
    if (transport.equals("loopback") && faults.dropRate() > 0) {
      throw new IllegalArgumentException("Drop injection (--drop) works on the in-memory transport only; real sockets do not lose messages on purpose.");
    }
  }

  /** The same simulation with another number of peers (natural silos: one per value of the partition column). */
  public SimulationConfig withPeers(int n) {
    return new SimulationConfig(n, partition, model, weights, batch, learningRate, validationFraction, testFraction, federation, faults, evaluateEvery, transport, attacks);
  }

  public SimulationConfig withFederation(FederationSettings f) {
    return new SimulationConfig(peers, partition, model, weights, batch, learningRate, validationFraction, testFraction, f, faults, evaluateEvery, transport, attacks, metric, classWeighting);
  }
}
