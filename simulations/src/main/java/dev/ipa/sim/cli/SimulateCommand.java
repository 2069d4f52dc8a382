package dev.ipa.sim.cli;

import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.partition.PartitionSpec;
import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.penalty.Weighting;
import dev.ipa.alignment.protocol.Algorithm;
import dev.ipa.alignment.protocol.CommonSettings;
import dev.ipa.alignment.protocol.EarlyStop;
import dev.ipa.alignment.protocol.FedProxSettings;
import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.alignment.protocol.IpaSettings;
import dev.ipa.alignment.protocol.Protocol;
import dev.ipa.alignment.protocol.Topology;
import dev.ipa.alignment.protocol.RobustSettings;
import dev.ipa.alignment.protocol.DpSettings;
import dev.ipa.sim.engine.Attack;
import dev.ipa.compression.CodecPolicy;
import dev.ipa.compression.CodecSpec;
import dev.ipa.sim.engine.SimulationConfig;
import dev.ipa.sim.engine.SimulationReport;
import dev.ipa.sim.engine.SimulationResult;
import dev.ipa.transport.InMemoryNetwork;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ipa simulate}: N peers on one machine over the in-memory transport, with baselines and fairness. */
@Command(name = "simulate", description = "Run N peers in one JVM (IPA, FedAvg, FedProx or local-only) and report accuracy, bytes and fairness.")
public final class SimulateCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin DataOption data;

  @Option(names = "--peers", defaultValue = "2", description = "Number of peers. Default: ${DEFAULT-VALUE}.")
  int peers;

  @Option(names = "--partition", defaultValue = "disjoint", description = "iid, dirichlet:A, dirichlet-capped:A (NIID-Bench and PFLlib), disjoint[:9/1], power-law[:B], class-imbalance[:F], class-number. Default: ${DEFAULT-VALUE}.")
  String partition;

  @Option(names = "--seed", defaultValue = "0", description = "Seed for partition, initialisation, shuffling and topology. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--seeds", paramLabel = "S,S,...", split = ",", description = "Run everything once per seed (e.g. 0,1,2) and summarise each figure as mean ± standard deviation over the seeds; each seed's report goes to OUT/seed-S. Replaces --seed.")
  List<Long> seeds;

  @Option(names = "--algo", defaultValue = "ipa", description = "ipa, fedavg, fedprox, local, ditto or fedavg-ft (FedAvg + fine-tuning). Default: ${DEFAULT-VALUE}.")
  String algo;

  @Option(names = "--compare", paramLabel = "A,B,...", description = "Run each algorithm on the same setup and show them side by side, e.g. ipa,fedavg,fedprox,local,ditto,fedavg-ft.")
  String compare;

  @Option(names = "--protocol", defaultValue = "parallel", description = "parallel (every peer trains at once and exchanges snapshots) or ring (the IPA paper's Algorithm 1: θ* travels around the ring). Default: ${DEFAULT-VALUE}.")
  String protocol;

  @Option(names = "--syncs", description = "Snapshot exchanges per local epoch. Default: the shipped default (4; the ring protocol: 1).")
  Integer syncs;

  @Option(names = "--distance", description = "l1 or l2 (IPA). Default: the shipped default.")
  String distance;

  @Option(names = "--mix", description = "IPA's proximal step M ≥ 0, once per exchange: θ moves to the minimiser of w_i·‖θ − θ_i‖² + M·Σ w_j·‖θ − θ̃_j‖², a weighted mean of θ and the snapshots (1 = everyone's data-size weighted mean; 0 = off). Default: the shipped default.")
  Double mix;

  @Option(names = "--lambda", description = "Alignment strength λ ≥ 0 (IPA). Default: the shipped default.")
  Double lambda;

  @Option(names = "--peer-weights", description = "data-size or uniform neighbour weights (IPA). Default: data-size.")
  String peerWeights;

  @Option(names = "--normalise", negatable = true, description = "Normalise neighbour weights to sum to 1, so the total pull is λ (IPA). Default: on.")
  Boolean normalise;

  @Option(names = "--extrapolate", description = "Staleness compensation γ: align to θ̃ + γ·(θ̃ − θ̃_prev). Default: 0.")
  Double extrapolate;

  @Option(names = "--mu", description = "FedProx μ. Default: the shipped default (0.01).")
  Double mu;

  @Option(names = "--fair-share", description = "Contribution-scaled reward, for fairness: a peer with n samples (n_max: the largest claimed) "
      + "keeps its own model moved n/n_max of the way towards its federated model; θ trains and is shared as without it. IPA, parallel protocol, --ipa-personal best.")
  boolean fairShare;

  @Option(names = "--ditto-lambda", description = "Ditto's λ: the personal model trains with λ/2·‖v − w‖² towards the global model. Default: 0.1.")
  Double dittoLambda;

  @Option(names = "--ft-steps", description = "Exactly this many local steps without any penalty make the personal model (from the global model "
      + "at the end of each round for fedavg-ft, from θ and from the consensus for IPA); 0: whole epochs, at most --ft-epochs, kept at the best "
      + "accuracy on the peer's validation split. Default: 0.")
  Integer ftSteps;

  @Option(names = "--ft-epochs", description = "The most local epochs of the validation-selected fine-tuning (--ft-steps 0); it stops at the first "
      + "epoch that does not improve. Default: 3.")
  Integer ftEpochs;

  @Option(names = "--ipa-personal", defaultValue = "best", description = "IPA's personal model, never published: best (the peer's own model, trained "
      + "alone beside θ, unless θ fine-tuned or the consensus fine-tuned validates strictly better on the peer's own split; one more local epoch per "
      + "round), fine-tuned (the better of those two) or theta (θ itself). Default: ${DEFAULT-VALUE}.")
  String ipaPersonal = "best";

  @Option(names = "--rounds", description = "Rounds (one local epoch each). Default: the shipped default (20).")
  Integer rounds;

  @Option(names = "--topology", defaultValue = "full", description = "full, ring or random:K. Default: ${DEFAULT-VALUE}.")
  String topology;

  @Option(names = "--model", defaultValue = LocalTrainer.DEFAULT_MODEL, description = "mlp, mlp:H1,H2,..., linear (multinomial logistic regression) or cnn. Default: ${DEFAULT-VALUE}.")
  String model;

  @Mixin MetricOptions metrics;

  @Option(names = "--weights", defaultValue = LocalTrainer.DEFAULT_WEIGHTS, description = "Local model weights: float, binary[:per-unit] or tiled:P (trained with a straight-through estimator; IPA aligns the latent weights). Default: ${DEFAULT-VALUE}.")
  String weights;

  @Option(names = "--codec", defaultValue = "none", description = "Snapshot codec: none (fp32 full snapshots), fp16, int8, sign, tile:P, topk:F (deltas with error feedback). Default: ${DEFAULT-VALUE}.")
  String codec;

  @Option(names = "--small-codec", defaultValue = "fp16", description = "Codec for tensors below --small-threshold values (biases, small layers). Default: ${DEFAULT-VALUE}.")
  String smallCodec;

  @Option(names = "--small-threshold", defaultValue = "1024", description = "Tensors with fewer values use --small-codec. Default: ${DEFAULT-VALUE}.")
  int smallThreshold;

  @Option(names = "--resync-every", defaultValue = "0", description = "Send a full snapshot every N exchanges to re-anchor the views (0 = only on first contact and on request). Default: ${DEFAULT-VALUE}.")
  int resyncEvery;

  @Option(names = "--early-stop", defaultValue = "none", description = "none, target:ACC (stop all when the first peer reaches ACC), patience:R (freeze a peer whose validation loss stalls R rounds), contribution (a peer with n samples freezes after ceil(R·n/n_max) of the R rounds), or several joined by commas; with --metric both watch that metric instead. Default: ${DEFAULT-VALUE}.")
  String earlyStop;

  @Option(names = "--drop", defaultValue = "0", description = "Probability that a snapshot is lost in the simulated network. Default: ${DEFAULT-VALUE}.")
  double drop;

  @Option(names = "--latency-ms", defaultValue = "0", description = "Latency added to every simulated message. Default: ${DEFAULT-VALUE}.")
  long latencyMs;

  @Option(names = "--timeout-s", description = "Seconds a peer waits for its neighbours at an exchange. Default: the shipped default (300, as the daemon's).")
  Long timeoutSeconds;

  @Option(names = "--batch", defaultValue = "" + LocalTrainer.DEFAULT_BATCH, description = "Batch size. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--lr", defaultValue = "" + LocalTrainer.DEFAULT_LEARNING_RATE, description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
  double lr;

  @Option(names = "--evaluate-every", defaultValue = "1", description = "Evaluate on the test set every N rounds. Default: ${DEFAULT-VALUE}.")
  int evaluateEvery;

  @Option(names = "--no-standalone", description = "Skip the local-only run on the same shards that the fairness report compares against.")
  boolean noStandalone;

  @Option(names = "--train-samples", paramLabel = "N", description = "Federate a stratified sample of N of the training samples, drawn with the "
      + "run's seed (e.g. 6000 for the fairness experiments); the test set stays whole. Default: all of them.")
  Integer trainSamples;

  @Option(names = "--local-test", defaultValue = "0.1", paramLabel = "FRACTION", description = "Share of every peer's shard kept as its local test "
      + "split, stratified and seeded: the personal accuracy figures (what an organisation measures on its own held-out data); 0 keeps none and "
      + "weights the global test set by the shard's class mix instead. Default: ${DEFAULT-VALUE}.")
  double localTest = 0.1;

  @Option(names = "--transport", defaultValue = "memory", description = "memory (in-process) or loopback (every peer its own mutual-TLS Netty listener on 127.0.0.1). Default: ${DEFAULT-VALUE}.")
  String transport;

  @Option(names = "--robust", defaultValue = "on", description = "Defences against a dishonest peer: on, off, or pairs clip:F (median-distance multiple), trim:T (coordinate-wise trimmed fraction), trust:F (validation-loss multiple), quorum:Q (peers to stop), max-size:N (data-size cap). Default: ${DEFAULT-VALUE}.")
  String robust;

  /** The help of {@code --dp}, shared with {@code ipa demo}. */
  static final String DP_HELP = "Peer-level differential privacy of every published update: none, clip:C,sigma:S[,delta:D][,budget:E], or epsilon:E,delta:D[,clip:C] (σ calibrated for rounds × syncs releases). Default: ${DEFAULT-VALUE}.";

  @Option(names = "--dp", defaultValue = "none", description = DP_HELP)
  String dp;

  @Option(names = "--attack", paramLabel = "PEER=KIND", description = "Make peer PEER (0-based index) malicious; repeatable. KIND: scale:F, signflip, noise:S, random, labelflip, stale, weight:N, stop, nan.")
  List<String> attack = new ArrayList<>();

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: runs/simulate-<time>.")
  String out;

  @Option(names = "--export-dir", paramLabel = "DIR", description = "Write each peer's final model as ONNX to DIR/ALGORITHM/PEER.onnx.")
  Path exportDir;

  @Override
  public void run() {
    PrintWriter o = spec.commandLine().getOut();
    SimulationConfig config = config();
    List<Algorithm> algorithms = new ArrayList<>();
    if (compare != null) {
      for (String a : compare.split(",")) algorithms.add(Algorithm.parse(a));
    } else {
      algorithms.add(config.federation().algorithm());
    }
    Path dir = dev.ipa.sim.report.Reports.runDirectory(out, "simulate");
    if (seeds == null || seeds.isEmpty()) {
      runOne(config, algorithms, dir, null, o);
      return;
    }
    if (seeds.stream().distinct().count() != seeds.size()) {
      throw new IllegalArgumentException("--seeds " + seeds + " repeats a seed; give each seed once, e.g. --seeds 0,1,2.");
    }
    TrainTest loaded = data.isTable() ? null : data.load(); // image and IDX data do not depend on the seed; load them once
    List<dev.ipa.sim.engine.SeedSummary.SeedRun> runs = new ArrayList<>();
    for (long s : seeds) {
      o.println("== seed " + s + " (" + (runs.size() + 1) + " of " + seeds.size() + ")");
      seed = s;
      runs.add(runOne(config(), algorithms, dir.resolve("seed-" + s), loaded, o));
    }
    SimulationConfig c = config();
    dev.ipa.sim.engine.SeedSummary.write(dir, runs, c.metric(), c.peers() + " peers, " + c.partition() + ", weights " + c.weights(), o);
  }

  /** Every algorithm (and the local-only baseline) on one seed's split, reported into {@code dir}. */
  private dev.ipa.sim.engine.SeedSummary.SeedRun runOne(SimulationConfig config, List<Algorithm> algorithms, Path dir, TrainTest loaded, PrintWriter o) {
    TrainTest tt;
    List<dev.ipa.alignment.partition.Shard> shards = null;
    dev.ipa.alignment.table.TableSchema schema = null;
    if (data.isTable()) {
      dev.ipa.sim.engine.TableFederation.Prepared p = prepareTable(config, data, o);
      tt = p.data();
      shards = p.shards();
      schema = p.schema();
      if (p.peers() != config.peers()) config = config.withPeers(p.peers());
    } else {
      tt = loaded != null ? loaded : data.load();
      if (trainSamples != null) tt = sampled(tt, trainSamples, config.federation().common().seed(), config.partition(), config.peers());
    }
    o.println("Data: " + tt.describe());
    tt.warnings().forEach(w -> o.println("Warning: " + w));
    config.metric().checkDefinedFor(tt.train().numClasses());
    SimulationRunner runner = new SimulationRunner(tt, shards, o);
    if (exportDir != null) runner.exportTo(seeds == null ? exportDir : exportDir.resolve("seed-" + seed), schema);
    runner.validate(config); // impossible partitions fail here, before any training
    dev.ipa.sim.report.Reports.runDirectory(dir.toString(), "simulate"); // creates it
    if (schema != null) {
      try {
        dev.ipa.alignment.table.SchemaJson.write(schema, dir.resolve("schema.json"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("Could not write " + dir.resolve("schema.json") + ": " + e.getMessage(), e);
      }
    }
    Map<String, SimulationResult> results = new LinkedHashMap<>();
    for (Algorithm a : algorithms) {
      results.put(a.id(), runner.run(config.withFederation(config.federation().with(a)), weights));
    }
    // The fairness baseline trains alone for every round: an early stop would cut it short, so with one it runs apart.
    boolean stopping = !config.federation().common().earlyStop().equals(EarlyStop.NONE);
    SimulationResult standalone = stopping ? null : results.get("local");
    if (standalone == null && !noStandalone) {
      o.println("Standalone baseline for the fairness report: local-only training on the same shards" + (stopping ? ", without the early stop." : "."));
      standalone = runner.run(config.withFederation(config.federation().with(Algorithm.LOCAL, EarlyStop.NONE)), weights);
    }
    SimulationReport.write(dir, config, DataOption.shortName(tt), results, standalone, o);
    return new dev.ipa.sim.engine.SeedSummary.SeedRun(seed, results, standalone);
  }

  /**
   * {@code tt} with a sample of {@code n} of its training samples drawn with {@code seed}: stratified, or for
   * {@code class-number} in the class mix its equal shards need (see {@link dev.ipa.alignment.partition.Partitioner#sampleFor}).
   */
  static TrainTest sampled(TrainTest tt, int n, long seed, dev.ipa.alignment.partition.PartitionSpec spec, int peers) {
    dev.ipa.alignment.data.Dataset train = tt.train();
    int[] idx = dev.ipa.alignment.partition.Partitioner.sampleFor(spec, peers, train.labelsAsInts(), train.numClasses(), n, seed);
    String how = spec instanceof dev.ipa.alignment.partition.PartitionSpec.ClassNumber ? "a sample of " + idx.length + " training samples in the class mix of "
        + spec + "'s shards" : "a stratified sample of " + n + " training samples";
    return new TrainTest(train.subset(idx), tt.test(), tt.source() + " (" + how + ", seed " + seed + ")",
        tt.kind(), tt.classNames(), tt.warnings());
  }

  /** A table federation: divide, exchange statistics in memory, encode; prints what the peers agreed on. */
  static dev.ipa.sim.engine.TableFederation.Prepared prepareTable(SimulationConfig config, DataOption data, PrintWriter o) {
      var spec = config.partition();
      String by = spec instanceof dev.ipa.alignment.partition.PartitionSpec.ByColumn b ? b.column() : null;
      var rows = data.tableRows(config.federation().common().seed(), by);
      var pinned = data.pinnedSchema();
      dev.ipa.sim.engine.TableFederation.Prepared p;
      try {
        p = dev.ipa.sim.engine.TableFederation.prepare(rows, spec, config.peers(), config.federation().common().seed(),
            config.validationFraction(), config.testFraction(), pinned);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("The federated-statistics exchange was interrupted.", e);
      }
      if (!p.silos().isEmpty()) {
        o.println("Natural silos by " + by + ": " + Counted.of(p.peers(), "peer") + ", " + String.join(", ", p.silos())
            + (p.peers() != config.peers() ? " (--peers " + config.peers() + " replaced)" : ""));
      }
      var s = p.schema();
      o.println("Schema (" + (pinned != null ? "pinned by --schema" : "pooled by the federated-statistics exchange") + "): "
          + Counted.of(s.columns().size(), "column") + " → " + s.encodedWidth() + " inputs, classes " + s.classes()
          + ", hash " + s.hash().substring(0, 16));
      p.warnings().forEach(w -> o.println("Warning: " + w));
      return p;
  }


  private dev.ipa.alignment.protocol.PersonalSettings.IpaPersonal ipaPersonal() {
    try {
      return dev.ipa.alignment.protocol.PersonalSettings.IpaPersonal.parse(ipaPersonal);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--ipa-personal: " + e.getMessage(), e);
    }
  }

  SimulationConfig config() {
    dev.ipa.alignment.quant.WeightMode.parse(weights); // fail on a bad mode before loading data
    Protocol p = Protocol.parse(protocol);
    FederationSettings d = FederationSettings.defaults(p);
    CodecSpec spec = CodecSpec.parse(codec);
    CodecPolicy policy = spec.kind() == CodecSpec.Kind.NONE ? FederationSettings.fp32()
        : new CodecPolicy(spec, smallThreshold, CodecSpec.parse(smallCodec), CodecSpec.NONE, resyncEvery);
    Algorithm algorithm = Algorithm.parse(algo);
    IpaSettings ipa = new IpaSettings(
        lambda != null ? lambda : d.ipa().lambda(),
        distance != null ? Distance.parse(distance) : d.ipa().distance(),
        peerWeights != null ? Weighting.parse(peerWeights) : d.ipa().weighting(),
        normalise != null ? normalise : d.ipa().normalise(),
        extrapolate != null ? extrapolate : d.ipa().extrapolate(),
        mix != null ? mix : d.ipa().mix(), fairShare);
    // Unset options take the shipped defaults from FederationSettings, the one place the daemon takes them from too.
    FedProxSettings fedProx = new FedProxSettings(mu != null ? mu : d.fedProx().mu());
    CommonSettings common = new CommonSettings(rounds != null ? rounds : d.common().rounds(), syncs != null ? syncs : d.common().syncs(),
        Topology.parse(topology), metrics.earlyStop(EarlyStop.parse(earlyStop)),
        timeoutSeconds != null ? Duration.ofSeconds(timeoutSeconds) : d.common().exchangeTimeout(), policy, seed, p, d.common().staleness());
    dev.ipa.alignment.protocol.PersonalSettings pd = d.personal();
    FederationSettings f = new FederationSettings(algorithm, common, ipa, fedProx, RobustSettings.parse(robust),
        DpSettings.parse(dp, common.rounds() * common.syncs()), new dev.ipa.alignment.protocol.PersonalSettings(
            dittoLambda != null ? dittoLambda : pd.dittoLambda(), ftSteps != null ? ftSteps : pd.fineTuneSteps(),
            ftEpochs != null ? ftEpochs : pd.fineTuneEpochs(), ipaPersonal()));
    Map<Integer, Attack> attacks = new java.util.TreeMap<>();
    for (String a : attack) {
      String[] kv = a.split("=", 2);
      try {
        if (kv.length != 2) throw new NumberFormatException();
        attacks.put(Integer.parseInt(kv[0].trim()), Attack.parse(kv[1]));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Bad --attack '" + a + "'; use PEER=KIND with PEER a 0-based peer index, e.g. --attack 4=scale:1e6.");
      }
    }
    return new SimulationConfig(peers, PartitionSpec.parse(partition), model, weights, batch, lr, 0.1, localTest, f,
        new InMemoryNetwork.Faults(Duration.ofMillis(latencyMs), drop, seed), evaluateEvery, transport, attacks, metrics.lead(), metrics.classWeighting());
  }
}
