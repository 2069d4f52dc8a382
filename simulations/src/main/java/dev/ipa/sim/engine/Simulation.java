package dev.ipa.sim.engine;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.partition.PartitionPlan;
import dev.ipa.alignment.partition.Shard;
import dev.ipa.alignment.protocol.FederatedPeer;
import dev.ipa.alignment.protocol.PeerBuilder;
import dev.ipa.alignment.protocol.RoundRecord;
import dev.ipa.alignment.protocol.SnapshotDecoding;
import dev.ipa.alignment.protocol.StopRecord;
import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.transport.InMemoryNetwork;
import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.netty.LoopbackTls;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Runs N peers in one JVM, each on its own thread with its own shard and model, talking only through an
 * {@link InMemoryNetwork}: the same {@link FederatedPeer} round protocol a daemon runs over Netty.
 *
 * <p>Every peer starts from the same initial weights (seed), as FedAvg needs and as makes the algorithms
 * comparable; each shuffles its shard with its own seed. Training is limited to one peer per core at a time by
 * a permit pool, so 100 peers do not thrash two cores. A single simulation object is used once.
 */
public final class Simulation {
  /** Hears about progress; called from peer threads. */
  public interface Listener {
    void roundDone(String peer, int round, SimulationResult.PeerRound result);
  }

  private final TrainTest data;
  private final SimulationConfig config;
  private final Function<Integer, dev.ipa.alignment.model.WeightTransform> weightTransforms;

  private final List<Shard> fixedShards;

  public Simulation(TrainTest data, SimulationConfig config, Function<Integer, dev.ipa.alignment.model.WeightTransform> weightTransforms) {
    this(data, config, weightTransforms, null);
  }

  /**
   * A simulation on shards cut beforehand (a table's peers, whose statistics were exchanged before the rows were
   * encoded); null shards means: cut them from the configured partition.
   */
  public Simulation(TrainTest data, SimulationConfig config, Function<Integer, dev.ipa.alignment.model.WeightTransform> weightTransforms,
                    List<Shard> shards) {
    this.data = data;
    this.config = config;
    this.weightTransforms = weightTransforms;
    this.fixedShards = shards == null ? null : List.copyOf(shards);
    if (shards != null && shards.size() != config.peers()) {
      throw new IllegalArgumentException("The simulation has " + config.peers() + " peers but " + shards.size() + " shards were given.");
    }
  }

  /** Receives each peer's final model after the last round it ran, before the peers close (e.g. to export it). */
  @FunctionalInterface
  public interface FinalModels {
    void accept(String peerId, int roundsRun, dev.ipa.alignment.model.Network network);
  }

  private FinalModels finalModels;

  /** Hands every peer's final model to {@code sink} at the end of {@link #run}, from the calling thread. */
  public Simulation withFinalModels(FinalModels sink) {
    this.finalModels = sink;
    return this;
  }

  /** Splits the training set as configured; fails with one sentence on an impossible plan (before training). */
  public List<Shard> shards() {
    if (fixedShards != null) return fixedShards;
    Dataset train = data.train();
    PartitionPlan plan = new PartitionPlan(config.partition(), config.peers(), config.federation().common().seed(), config.validationFraction(),
        config.testFraction());
    return plan.split(train.labelsAsInts(), train.numClasses());
  }

  /** The training set with every label y replaced by (y + 1) mod classes, for the {@code labelflip} attack. */
  private static Dataset flippedLabels(Dataset d) {
    int[] next = new int[d.numClasses()];
    for (int c = 0; c < next.length; c++) next[c] = (c + 1) % next.length;
    return d.relabelled(d.name() + " (labels flipped)", next);
  }

  public SimulationResult run(Listener listener) throws InterruptedException {
    try {
      return runOnce(listener);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Could not prepare the loopback federation: " + e.getMessage(), e);
    }
  }

  private SimulationResult runOnce(Listener listener) throws InterruptedException, java.io.IOException {
    long started = System.nanoTime();
    Dataset train = data.train();
    Dataset test = data.test();
    List<Shard> shards = shards();
    Architecture arch = Architecture.parse(config.model(), train.channels(), train.rows(), train.cols(), train.numClasses());
    int n = config.peers();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add(String.format(n > 99 ? "peer%03d" : n > 9 ? "peer%02d" : "peer%d", i));
    long total = 0;
    java.util.Map<String, Integer> sizes = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      total += shards.get(i).train().length;
      sizes.put(ids.get(i), shards.get(i).train().length); // the simulator knows every shard: sizes are provisioned
    }
    boolean attacked = !config.attacks().isEmpty();

    int cores = Runtime.getRuntime().availableProcessors();
    Semaphore compute = new Semaphore(Math.max(1, cores));
    int[] testLabels = test.labelsAsInts();
    int classes = train.numClasses();
    int[] testPerClass = new int[classes];
    for (int y : testLabels) testPerClass[y]++;

    List<SimulationResult.PeerInfo> infos = new ArrayList<>();
    List<FederatedPeer> peers = new ArrayList<>();
    List<double[]> classMix = new ArrayList<>();
    long fp32 = 0;
    boolean loopback = config.transport().equals("loopback");
    java.nio.file.Path certDir = null;
    try (InMemoryNetwork network = new InMemoryNetwork(config.faults())) {
      SnapshotDecoding decoding = null;
      List<PeerTransport> transports = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Shard shard = shards.get(i);
        PeerBuilder builder = new PeerBuilder(ids.get(i), ids, config.federation()).model(arch, weightTransforms);
        if (i == 0) {
          // In memory, each publication is decoded once and shared; over sockets each receiver decodes its own.
          // An attacker's bytes differ from its encoder's view, so with one every receiver decodes what it was sent.
          decoding = loopback || attacked ? SnapshotDecoding.privateDecoders(builder.layout()) : SnapshotDecoding.shared(builder.layout());
          fp32 = 4L * builder.network().parameterCount();
          if (loopback) {
            certDir = java.nio.file.Files.createTempDirectory("ipa-loopback-certs");
            transports.addAll(LoopbackTls.transports("simulation", ids, certDir, builder.fingerprint()));
          } else {
            for (String id : ids) transports.add(network.transport(id));
          }
        }
        Attack attack = config.attacks().get(i);
        PeerTransport transport = transports.get(i);
        Dataset own = train;
        if (attack != null) {
          transport = new AttackTransport(transport, attack, builder.layout(), config.federation().common().seed() * 131 + i);
          if (attack.kind() == Attack.Kind.LABELFLIP) own = flippedLabels(train);
        }
        FederatedPeer peer = builder.training(own, shard, config.batch(), config.learningRate()).dataSizes(sizes).classWeighting(config.classWeighting())
            .dpNoise(new java.util.Random(config.federation().common().seed() * 1_000_003L + i)).build(transport, decoding, total, compute);
        peers.add(peer);
        infos.add(new SimulationResult.PeerInfo(ids.get(i), shard.train().length, shard.validation().length, shard.test().length, shard.classes()));
        double[] mix = new double[classes];
        for (int idx : shard.train()) mix[train.label(idx)]++;
        for (int c = 0; c < classes; c++) mix[c] /= shard.train().length;
        classMix.add(mix);
      }
      for (FederatedPeer p : peers) p.start();
      if (loopback) LoopbackTls.awaitConnected(transports, java.time.Duration.ofSeconds(60));

      int rounds = config.federation().common().rounds();
      List<List<SimulationResult.PeerRound>> table = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        List<SimulationResult.PeerRound> row = new ArrayList<>();
        for (int i = 0; i < n; i++) row.add(null);
        table.add(row);
      }
      LinkedHashSet<StopRecord> stops = new LinkedHashSet<>();
      ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
        Thread t = new Thread(r, "sim-peer");
        t.setDaemon(true);
        return t;
      });
      try {
        List<Future<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          final int pi = i;
          futures.add(pool.submit(() -> {
            FederatedPeer peer = peers.get(pi);
            int r = 0;
            for (; r < rounds; r++) {
              RoundRecord rec = peer.runRound(r);
              boolean evaluate = (r + 1) % config.evaluateEvery() == 0 || r == rounds - 1 || rec.stop() != null;
              double acc = Double.NaN;
              double personal = Double.NaN;
              double mixed = Double.NaN;
              double loss = Double.NaN;
              Evaluation e = null;
              TestFigures consensus = null;
              if (evaluate) {
                int[] localTest = shards.get(pi).test();
                double[] mix = classMix.get(pi);
                // Each model is evaluated in the peer's own network, which gets θ back bit for bit before the next round.
                Network.WithParams<TestFigures, InterruptedException> figures =
                    () -> testFigures(peer.network(), test, testLabels, testPerClass, mix, train, localTest, compute);
                float[] c = peer.consensus(); // computed from θ, before the personal model is
                float[] mine = peer.personal(c);
                TestFigures own = mine == null ? figures.run() : peer.network().withParams(mine, figures);
                e = own.evaluation();
                acc = own.accuracy();
                personal = own.personal();
                mixed = own.mixed();
                loss = e.meanLoss();
                consensus = c != null ? peer.network().withParams(c, figures) : mine == null ? own : figures.run();
              }
              SimulationResult.PeerRound pr = new SimulationResult.PeerRound(peer.id(), r, acc, personal, loss, rec.validationAccuracy(),
                  rec.trainLoss(), rec.bytesSent(), rec.snapshotsSent(), rec.failures().size(), rec.maxStaleness(), rec.frozen(), rec.stop() != null,
                  rec.epsilon(), e == null ? Double.NaN : e.balancedAccuracy(), e == null ? Double.NaN : e.macroF1(), e == null ? Double.NaN : e.auc(),
                  consensus == null ? Double.NaN : consensus.accuracy(), consensus == null ? Double.NaN : consensus.personal(),
                  mixed);
              synchronized (table) {
                table.get(r).set(pi, pr);
              }
              if (listener != null) listener.roundDone(peer.id(), r, pr);
              if (rec.stop() != null) break;
            }
            return r;
          }));
        }
        for (int i = 0; i < n; i++) {
          Future<Integer> f = futures.get(i);
          try {
            int ran = f.get();
            if (finalModels != null) finalModels.accept(peers.get(i).id(), ran, peers.get(i).network());
          } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            throw new IllegalStateException("A simulated peer failed: " + c, c);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      for (FederatedPeer p : peers) stops.addAll(p.stops());
      // Rounds after an early stop have no entries; drop trailing empty rows.
      while (!table.isEmpty() && table.get(table.size() - 1).stream().allMatch(x -> x == null)) table.remove(table.size() - 1);
      for (FederatedPeer p : peers) p.close();
      return new SimulationResult(config.federation().algorithm().id(), infos, table, List.copyOf(stops), (System.nanoTime() - started) / 1e9, fp32);
    }
  }

  /**
   * A model's test evaluation and accuracy on the whole test set, its personal accuracy (on the peer's local test
   * split; without one, the mixed figure), and the mixed figure: per-class test accuracy weighted by the shard's
   * class mix.
   */
  private record TestFigures(Evaluation evaluation, double accuracy, double personal, double mixed) {}

  private static TestFigures testFigures(dev.ipa.alignment.model.Network network, Dataset test, int[] testLabels, int[] testPerClass, double[] mix,
      Dataset train, int[] localTest, Semaphore compute) throws InterruptedException {
    int[] pred = new int[test.count()];
    Evaluation e;
    Evaluation local = null;
    compute.acquire();
    try {
      e = LocalTrainer.evaluate(network, test, null, pred);
      if (localTest.length > 0) local = LocalTrainer.evaluate(network, train, localTest);
    } finally {
      compute.release();
    }
    int[] correct = new int[testPerClass.length];
    for (int k = 0; k < pred.length; k++) if (pred[k] == testLabels[k]) correct[testLabels[k]]++;
    double mixed = 0;
    for (int c = 0; c < testPerClass.length; c++) if (testPerClass[c] > 0) mixed += mix[c] * correct[c] / testPerClass[c];
    return new TestFigures(e, e.accuracy(), local == null ? mixed : local.accuracy(), mixed);
  }
}
