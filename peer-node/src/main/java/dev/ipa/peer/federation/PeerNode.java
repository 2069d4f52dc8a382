package dev.ipa.peer.federation;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.data.FashionMnist;
import dev.ipa.alignment.data.ImageFolder;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.partition.PartitionPlan;
import dev.ipa.alignment.partition.Shard;
import dev.ipa.alignment.protocol.FederatedPeer;
import dev.ipa.alignment.protocol.ModelState;
import dev.ipa.alignment.protocol.PeerBuilder;
import dev.ipa.alignment.protocol.PeerFailure;
import dev.ipa.alignment.protocol.PeerViews;
import dev.ipa.alignment.protocol.RoundRecord;
import dev.ipa.alignment.protocol.SnapshotDecoding;
import dev.ipa.alignment.protocol.StopRecord;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.quant.WeightMode;
import dev.ipa.alignment.table.SchemaJson;
import dev.ipa.alignment.table.StatisticsExchange;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.onnx.ModelInputs;
import dev.ipa.alignment.table.TableSource;
import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.peer.checkpoint.Checkpoint;
import dev.ipa.peer.checkpoint.CheckpointStore;
import dev.ipa.peer.checkpoint.RoundSummary;
import dev.ipa.compression.ViewHash;
import dev.ipa.peer.config.PeerConfig;
import dev.ipa.peer.config.PeerConfigBinding;
import dev.ipa.transport.LinkState;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.netty.NettyTransport;
import dev.ipa.transport.netty.NettyTransportConfig;
import dev.ipa.transport.tls.TlsFiles;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.ipa.peer.PeerDaemon;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running peer: its data shard, model, trainer, Netty transport and {@link FederatedPeer}, plus the
 * background thread that runs the rounds, checkpoints after each one and keeps the round history.
 *
 * <p>Lifecycle: constructed eagerly at daemon start-up, where every configuration problem surfaces as one
 * exception with one sentence (missing data, unusable certificates, port in use, unusable checkpoint directory);
 * the newest valid checkpoint is restored and the transport starts listening → {@link #start()} (or
 * {@code auto-start}) launches the federation thread → {@link #pause()}/{@link #resume()} take effect between
 * rounds → {@link #stop()} ends it after the current round → {@link #close()} at shutdown.
 *
 * <p>Thread-safety: the admin API calls in from HTTP threads; control state is guarded by {@code this}, the
 * model is only touched by the federation thread (the API reads a packed copy made after each round).
 */
@Context
@Requires(notEnv = PeerDaemon.CHECK_ENVIRONMENT)
public final class PeerNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerNode.class);
  private static final Duration WAIT_LOG_EVERY = Duration.ofSeconds(5);

  private final PeerConfig config;
  private final TrainTest data;
  /** The table schema this peer encodes its rows with; null for IDX data. */
  private final TableSchema schema;
  private final Network network;
  /** The shard's local test split (indices into the training set); empty when the peer trains on its own data. */
  private final int[] localTest;
  private final WeightMode weightMode;
  private final LocalTrainer trainer;
  private final NettyTransport transport;
  private final WatchedTransport watched;
  private final FederatedPeer peer;
  private final CheckpointStore store;
  private final String codeVersion;
  private final List<RoundSummary> history = new ArrayList<>();
  private final LinkedHashSet<StopRecord> stops = new LinkedHashSet<>();
  private final Timer roundTimer;
  private final Timer checkpointTimer;

  private Thread thread;
  private boolean started;
  private boolean paused;
  private boolean stopRequested;
  private volatile PeerState phase = PeerState.IDLE;
  private volatile Instant since = Instant.now();
  private volatile String error;
  private volatile String reason;
  private volatile boolean closing;
  private boolean pausedFederationWide;
  private int pauseAfter = -1;
  private volatile boolean inRound;
  private String pausedBy;
  private final Set<String> pausedNeighbours = ConcurrentHashMap.newKeySet();
  private static final String ADMIN_STOP = dev.ipa.alignment.protocol.FederatedPeer.ADMIN_STOP_REASON;
  private volatile byte[] packedModel;
  private volatile byte[] packedConsensus;
  /** The consensus model after the last round (null: θ itself); written by the federation thread, checkpointed with it. */
  private volatile float[] consensus;
  /**
   * The personal model after the last round when it is not θ (IPA fine-tunes θ on the peer's own data), null
   * otherwise; recomputed from the checkpoint's θ, moments and data cursor after a restart, so not stored.
   */
  private volatile float[] personalModel;
  private volatile ModelProvenance modelProvenance;

  /** What this peer holds against each neighbour, for {@code /api/peers} and the metrics. */
  private final Distrust distrust = new Distrust();
  private volatile double epsilon = Double.NaN;

  public PeerNode(PeerConfig config, MeterRegistry metrics) {
    this.config = config;
    this.codeVersion = Optional.ofNullable(PeerNode.class.getPackage().getImplementationVersion()).orElse("development build");
    this.store = new CheckpointStore(config.checkpointDir(), config.keepCheckpoints());
    Loaded loaded = loadData(config);
    this.data = loaded.data();
    this.schema = loaded.schema();
    Dataset train = data.train();
    List<String> members = config.federationMembers();
    long seed = config.settings().common().seed();
    Shard shard;
    long total;
    if (config.partition() != null) {
      // A shard of shared data: its own local test split is what this organisation would hold out (personal accuracy).
      List<Shard> shards = PartitionPlan.withLocalTest(config.partition(), config.peersInPartition(), seed).split(train.labelsAsInts(), train.numClasses());
      shard = shards.get(config.shardIndex());
      total = shards.stream().mapToLong(s -> s.train().length).sum();
    } else {
      shard = PartitionPlan.of("iid", 1, seed).split(train.labelsAsInts(), train.numClasses()).get(0);
      total = (long) shard.train().length * members.size();
    }
    Architecture arch = Architecture.parse(config.model(), train.channels(), train.rows(), train.cols(), train.numClasses());
    this.weightMode = WeightMode.parse(config.weights());
    PeerBuilder builder = new PeerBuilder(config.id(), members, config.settings()).model(arch, weightMode.transforms(arch))
        .training(train, shard, config.batch(), config.learningRate()).classWeighting(config.classWeighting());
    if (schema != null) builder.schemaHash(schema.hash());
    this.network = builder.network();
    this.localTest = shard.test();
    if (!Files.isDirectory(config.tlsDir())) {
      throw new IllegalArgumentException("The TLS directory " + config.tlsDir() + " (ipa.peer.tls-dir) does not exist; generate it with ./ipa certs.");
    }
    this.transport = new NettyTransport(PeerConfigBinding.tuned(NettyTransportConfig.secure(config.federation(), config.id(), config.listen(),
        config.peers(), TlsFiles.inDirectory(config.tlsDir()), builder.fingerprint()), config.transport())
        .withSettings(PeerConfigBinding.sharedSettings(config)));
    this.watched = new WatchedTransport(transport, this::onNotice);
    this.peer = builder.build(watched, SnapshotDecoding.privateDecoders(builder.layout()), total, null);
    this.trainer = peer.trainer();
    store.loadLatest().ifPresent(this::restore);
    if (!history.isEmpty()) personalModel = personalAfterRestart();
    epsilon = peer.epsilon(); // 0 with DP before any release, NaN without
    LOG.info("Peer {} of federation {}: {} training and {} validation samples from {}, model {} ({} parameters), {}.",
        config.id(), config.federation(), shard.train().length, shard.validation().length, data.source(), arch.describe(),
        network.parameterCount(), history.isEmpty() ? "starting at round 0" : "resuming at round " + history.size());
    exportModel(lastRound());
    peer.start(); // binds the listening socket: a port in use fails here, at start-up

    Gauge.builder("ipa.round", this, n -> n.lastRound()).description("Last completed round").register(metrics);
    Gauge.builder("ipa.accuracy", this, n -> n.lastSummary().map(RoundSummary::testAccuracy).orElse(Double.NaN))
        .description("Test accuracy after the last round").register(metrics);
    Gauge.builder("ipa.consensus.accuracy", this, n -> n.lastSummary().map(RoundSummary::consensusTestAccuracy)
        .orElseGet(() -> n.lastSummary().map(RoundSummary::testAccuracy).orElse(Double.NaN)))
        .description("Test accuracy of the consensus model after the last round (the model itself where it is its own consensus)").register(metrics);
    Gauge.builder("ipa.personal.accuracy", this, n -> n.lastSummary().map(RoundSummary::personalAccuracy).filter(x -> x != null).orElse(Double.NaN))
        .description("Accuracy on the peer's own held-out data (its shard's local test split, or its own test set) after the last round").register(metrics);
    Gauge.builder("ipa.loss", this, n -> n.lastSummary().map(RoundSummary::testLoss).orElse(Double.NaN))
        .description("Test loss after the last round").register(metrics);
    Gauge.builder("ipa.balanced.accuracy", this, n -> n.lastSummary().map(RoundSummary::testBalancedAccuracy).orElse(Double.NaN))
        .description("Test balanced accuracy (mean recall per class) after the last round").register(metrics);
    Gauge.builder("ipa.macro.f1", this, n -> n.lastSummary().map(RoundSummary::testMacroF1).orElse(Double.NaN))
        .description("Test macro-F1 (mean F1 per class) after the last round").register(metrics);
    Gauge.builder("ipa.auc", this, n -> n.lastSummary().map(RoundSummary::testAuc).orElse(Double.NaN))
        .description("Test ROC AUC after the last round (two classes; NaN otherwise)").register(metrics);
    FunctionCounter.builder("ipa.rounds.completed", this, n -> n.history().size()).description("Rounds completed and checkpointed").register(metrics);
    NodeGauges.register(metrics, this, config.peers().keySet());
    for (String p : config.peers().keySet()) {
      FunctionCounter.builder("ipa.peer.bytes.sent", this, n -> n.link(p).map(LinkState::bytesOut).orElse(0L))
          .tag("peer", p).baseUnit("bytes").description("Bytes sent to a neighbour, framing included").register(metrics);
      FunctionCounter.builder("ipa.peer.bytes.received", this, n -> n.link(p).map(LinkState::bytesIn).orElse(0L))
          .tag("peer", p).baseUnit("bytes").description("Bytes received from a neighbour, framing included").register(metrics);
    }
    for (String p : config.peers().keySet()) {
      FunctionCounter.builder("ipa.peer.snapshots.rejected", this, n -> n.distrust.count(p, "rejected"))
          .tag("peer", p).description("Snapshots of this neighbour that could not be decoded (corrupt, NaN, wrong shape, overflow)").register(metrics);
      FunctionCounter.builder("ipa.peer.snapshots.suspected", this, n -> n.distrust.count(p, "suspected"))
          .tag("peer", p).description("Snapshots, claims or notices of this neighbour that the defences gated, clipped or overrode").register(metrics);
    }
    Gauge.builder("ipa.dp.epsilon", this, n -> n.epsilon).description("Differential privacy spent on the published updates at the configured delta (NaN without DP)").register(metrics);
    this.roundTimer = Timer.builder("ipa.round.duration").description("Wall time of a round").register(metrics);
    this.checkpointTimer = Timer.builder("ipa.checkpoint.duration").description("Time to write a checkpoint").register(metrics);
    if (config.autoStart()) start();
  }

  /** The data this peer trains on, and for a table the schema its rows were encoded with. */
  private record Loaded(TrainTest data, TableSchema schema) {
  }

  private static Loaded loadData(PeerConfig config) {
    if (TableSource.isTable(config.data())) return loadTable(config);
    if (config.data().equalsIgnoreCase("embedded")) return new Loaded(FashionMnist.embedded(), null);
    Path dir = Path.of(config.data());
    if (ImageFolder.isImageFolder(dir)) {
      TrainTest tt = ImageFolder.load(dir, config.imageOptions());
      tt.warnings().forEach(w -> LOG.warn("{}", w));
      return new Loaded(tt, null);
    }
    return new Loaded(FashionMnist.fromDirectory(dir, "ipa.peer.data"), null);
  }

  /**
   * A table: the schema is the one this peer agreed on before a restart ({@value #SCHEMA_FILE} in the checkpoint
   * directory: the others are past round 0 and will not exchange again); otherwise the peers run the exchange over
   * its own mutual-TLS Netty transport on {@code ipa.peer.listen}, closed before the round transport binds the same
   * address: statistics, or with {@code ipa.peer.schema} the schema alone, which the peers compare. An organisation
   * trains on all of its own rows.
   */
  private static Loaded loadTable(PeerConfig config) {
    if (config.partition() != null) {
      throw new IllegalArgumentException("ipa.peer.partition divides the IDX demo data; a peer with a table trains on all of its own rows, "
          + "so remove ipa.peer.partition.");
    }
    PeerConfig.TableKeys k = config.table();
    Path agreed = config.checkpointDir().resolve(SCHEMA_FILE);
    TableSchema given = k.schema() == null ? null : SchemaJson.read(k.schema());
    TableSchema before = Files.isRegularFile(agreed) ? SchemaJson.read(agreed) : null;
    if (given != null && before != null && !given.equals(before)) {
      throw new IllegalArgumentException("ipa.peer.schema " + k.schema() + " differs from the schema this peer agreed on before (" + agreed
          + "): " + given.firstDifference(before).orElseThrow() + "; restore the file or use a fresh ipa.peer.checkpoint-dir.");
    }
    TableSchema pinned = before != null ? before : given;
    TableSource.Rows rows = TableSource.read(config.data(), new TableSource.Options(k.label(), new LinkedHashSet<>(k.ignore()),
        k.testFraction(), config.settings().common().seed(), pinned, null));
    TableSchema schema = before;
    if (schema == null) {
      // With a schema file only the schema travels, so a peer given another file is refused naming the column.
      LOG.info("Peer {}: {} with {} before round 0 ({} training rows).", config.id(), given != null ? "schema check" : "federated-statistics exchange",
          config.peers().keySet(), rows.trainRows().length);
      NettyTransport exchangeTransport = new NettyTransport(PeerConfigBinding.tuned(NettyTransportConfig.secure(config.federation(), config.id(),
          config.listen(), config.peers(), TlsFiles.inDirectory(config.tlsDir()), StatisticsExchange.FINGERPRINT), config.transport())
          .withSettings(PeerConfigBinding.sharedSettings(config)));
      try {
        StatisticsExchange exchange = new StatisticsExchange(exchangeTransport, config.federationMembers(),
            given == null ? rows.statistics() : null, given);
        schema = exchange.run(STATISTICS_TIMEOUT);
        exchange.linger(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Peer " + config.id() + " was interrupted during the federated-statistics exchange.", e);
      } finally {
        exchangeTransport.close();
      }
    }
    try {
      Files.createDirectories(config.checkpointDir());
      if (!Files.isRegularFile(agreed)) SchemaJson.write(schema, agreed);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Peer " + config.id() + " cannot write " + agreed + " (" + e.getMessage() + "); check ipa.peer.checkpoint-dir.", e);
    }
    TableSource.Encoded e = rows.encode(schema);
    e.warnings().forEach(w -> LOG.warn("Peer {}: {}", config.id(), w));
    LOG.info("Peer {}: table schema {} ({} columns → {} inputs, classes {}).", config.id(), schema.hash().substring(0, 16),
        schema.columns().size(), schema.encodedWidth(), schema.classes());
    return new Loaded(e.data(), schema);
  }

  /** Where a table peer keeps the schema it agreed on, beside its checkpoints. */
  public static final String SCHEMA_FILE = "schema.json";
  private static final Duration STATISTICS_TIMEOUT = Duration.ofMinutes(10);

  private void restore(Checkpoint c) {
    if (!c.provenance().peerId().equals(config.id())) {
      throw new IllegalArgumentException("The checkpoint directory " + config.checkpointDir() + " holds checkpoints of peer '"
          + c.provenance().peerId() + "', not '" + config.id() + "'; point ipa.peer.checkpoint-dir elsewhere.");
    }
    if (c.params().length != network.parameterCount()) {
      throw new IllegalArgumentException("The checkpoint in " + config.checkpointDir() + " has " + c.params().length
          + " parameters but the configured model has " + network.parameterCount() + "; use a fresh ipa.peer.checkpoint-dir for a new model.");
    }
    network.setParams(c.params());
    consensus = c.consensus();
    if (c.track() != null) peer.restoreTrack(c.track());
    trainer.optimiser().restore(c.moments(), c.iteration());
    trainer.seek(c.epoch(), c.cursor());
    peer.encoder().restore(c.encoder());
    for (Checkpoint.NeighbourView v : c.views()) {
      peer.restoreView(new PeerViews.View(v.peer(), v.params(), null, v.round(), v.sync(), v.sequence(), v.dataSize()));
    }
    history.addAll(c.history());
    stops.addAll(c.stops());
    restoreDp(c);
    LOG.info("Peer {} restored checkpoint of round {} from {}.", config.id(), c.round(), config.checkpointDir());
  }

  // ---- control, called from the admin API ----

  /** Starts the federation thread; returns false if it was already started. */
  public synchronized boolean start() {
    if (started) return false;
    started = true;
    thread = new Thread(this::run, "ipa-federation-" + config.id());
    thread.setDaemon(true);
    thread.start();
    return true;
  }

  /** Pauses before the next round; returns false if not running or already paused. */
  public boolean pause() {
    return pause(true);
  }

  /**
   * Pauses after the current round; {@code federationWide} also tells every neighbour to pause after that round,
   * so nobody waits an exchange timeout for this peer. Returns false if not running or already paused.
   */
  public boolean pause(boolean federationWide) {
    int after;
    synchronized (this) {
      if (!started || stopRequested || paused || phase.ended()) return false;
      paused = true;
      pausedFederationWide = federationWide;
      pausedBy = "this peer's admin";
      pauseAfter = currentRound();
      after = pauseAfter;
    }
    // Outside the monitor: the transport delivers neighbours' notices under it (onNotice).
    announce(PeerNotice.Kind.PAUSE, federationWide, after);
    LOG.info("Peer {} will pause after round {}{}.", config.id(), after, federationWide ? ", and has told its neighbours to pause too" : "");
    return true;
  }

  /** Resumes; a federation-wide pause is lifted for every neighbour too. Returns false if not paused. */
  public boolean resume() {
    boolean federationWide;
    synchronized (this) {
      if (!paused) return false;
      paused = false;
      federationWide = pausedFederationWide;
      notifyAll();
    }
    announce(PeerNotice.Kind.RESUME, federationWide, lastRound());
    LOG.info("Peer {} resumes{}.", config.id(), federationWide ? ", and has told its neighbours to resume" : "");
    return true;
  }

  private void announce(PeerNotice.Kind kind, boolean federationWide, int round) {
    watched.notify(new PeerNotice(config.id(), kind, round, federationWide ? PeerNotice.FEDERATION : PeerNotice.PEER), config.peers().keySet());
  }

  /** The round in progress, or the last completed one between rounds. */
  private int currentRound() {
    return inRound ? lastRound() + 1 : lastRound();
  }

  /**
   * A neighbour's pause, resume or stop (transport thread; holds the monitor only briefly). A federation-wide
   * pause names the round after which its sender pauses; peers may be a round apart, so a peer already past that
   * round pauses after its own and tells the others to run up to it as well, and nobody waits for a peer that
   * stopped one round earlier.
   */
  private void onNotice(PeerNotice n) {
    int raise = handle(n); // under the monitor; the announcement below is not
    if (raise >= 0) announce(PeerNotice.Kind.PAUSE, true, raise);
  }

  /** Returns the round to announce a federation-wide pause for, or -1 for none. */
  private synchronized int handle(PeerNotice n) {
    boolean federationWide = PeerNotice.FEDERATION.equals(n.reason());
    switch (n.kind()) {
      case PAUSE -> {
        pausedNeighbours.add(n.from());
        if (!federationWide || stopRequested || phase.ended()) return -1;
        if (!paused) {
          paused = true;
          pausedFederationWide = true;
          pausedBy = n.from() + "'s admin, for the whole federation";
          pauseAfter = Math.max(n.round(), currentRound());
          LOG.info("Peer {} will pause after round {}: {} paused the federation.", config.id(), pauseAfter, n.from());
        } else if (pausedFederationWide && n.round() > pauseAfter) {
          pauseAfter = n.round();
          notifyAll(); // already waiting after an earlier round: run up to the later one first
        }
        return pausedFederationWide && pauseAfter > n.round() ? pauseAfter : -1;
      }
      case RESUME -> {
        pausedNeighbours.remove(n.from());
        if (federationWide) pausedNeighbours.clear();
        if (federationWide && paused && pausedFederationWide) {
          paused = false;
          notifyAll();
          LOG.info("Peer {} resumes: {} resumed the federation.", config.id(), n.from());
        }
      }
      default -> { }
    }
    return -1;
  }

  /**
   * Ends this peer's federation after the current round (the round in progress completes and is checkpointed),
   * and votes to stop everyone's: the federation stops once a quorum of peers' admins stopped theirs
   * ({@code ipa.federation.robust.stop-quorum}, a majority by default), so no single member can halt the others.
   */
  public boolean stop() {
    synchronized (this) {
      if (stopRequested || phase.ended()) return false;
      stopRequested = true;
      notifyAll();
      if (!started) {
        reason = "Stopped by the admin before the first round.";
        setPhase(PeerState.STOPPED);
      }
    }
    // The protocol's STOP notice: neighbours no longer wait for this peer, and count it as one admin's vote.
    watched.notify(new PeerNotice(config.id(), PeerNotice.Kind.STOP, lastRound() + 1, ADMIN_STOP), config.peers().keySet());
    LOG.info("Peer {} stops after the current round.", config.id());
    return true;
  }

  // ---- the federation thread ----

  private void run() {
    PeerState end = PeerState.FINISHED;
    try {
      Optional<String> done = finishedBefore();
      if (done.isPresent()) {
        // A restart of a finished federation: waiting for neighbours that have finished too would only time out.
        reason = done.get();
        LOG.info("Peer {} finished at round {}; nothing to do ({}).", config.id(), lastRound(), reason);
        return;
      }
      awaitNeighbours();
      for (int r = history.size(); r < config.settings().common().rounds(); r++) {
        if (!awaitGo()) {
          end = PeerState.STOPPED;
          reason = "Stopped by the admin after round " + lastRound() + " of " + config.settings().common().rounds() + ".";
          break;
        }
        inRound = true;
        setPhase(allConnected() ? PeerState.TRAINING : PeerState.WAITING);
        long t0 = System.nanoTime();
        RoundRecord rec = peer.runRound(r);
        float[] c = peer.consensus(); // from θ, before the personal model is made
        float[] mine = peer.personal(c);
        Evaluation test = mine == null ? LocalTrainer.evaluate(network, data.test(), null)
            : network.withParams(mine, () -> LocalTrainer.evaluate(network, data.test(), null));
        Double personal = mine == null ? personalAccuracy(test) : network.withParams(mine, () -> personalAccuracy(test));
        Evaluation consensusTest = c == null ? null : network.withParams(c, () -> LocalTrainer.evaluate(network, data.test(), null));
        Double consensusPersonal = c == null ? null : network.withParams(c, () -> personalAccuracy(consensusTest));
        ModelState own = peer.track();
        Double localOnlyPersonal = own == null ? null : network.withParams(own.params(), this::ownDataAccuracy);
        consensus = c;
        personalModel = mine;
        long nanos = System.nanoTime() - t0;
        roundTimer.record(nanos, TimeUnit.NANOSECONDS);
        List<String> failures = new ArrayList<>();
        for (PeerFailure f : rec.failures()) {
          failures.add(f.peer() + ": " + f.reason());
          distrust.record(f);
        }
        epsilon = rec.epsilon();
        RoundSummary s = new RoundSummary(r, rec.trainLoss(), rec.validationAccuracy(), rec.validationLoss(), test.accuracy(), test.meanLoss(),
            rec.bytesSent(), failures, rec.maxStaleness(), rec.frozen(), rec.stop() == null ? null : rec.stop().reason(), nanos / 1_000_000,
            Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), Double.isNaN(rec.epsilon()) ? null : rec.epsilon(),
            finite(test.balancedAccuracy()), finite(test.macroF1()), finite(test.auc()),
            consensusTest == null ? null : consensusTest.accuracy(), consensusTest == null ? null : finite(consensusTest.meanLoss()),
            personal, consensusPersonal, localOnlyPersonal);
        // The round becomes visible (API, metrics) only once its checkpoint is durable, so nothing reported can
        // be lost by a crash.
        checkpoint(r, s);
        synchronized (this) {
          history.add(s);
          inRound = false;
          stops.addAll(peer.stops());
        }
        exportModel(r);
        LOG.info("Peer {} finished round {}: test accuracy {}, loss {}, {} bytes sent{}{}.", config.id(), r,
            String.format("%.4f", test.accuracy()), String.format("%.4f", test.meanLoss()), rec.bytesSent(),
            Double.isNaN(rec.epsilon()) ? "" : String.format(", ε spent %.4f at δ = %s", rec.epsilon(), config.settings().dp().delta()),
            failures.isEmpty() ? "" : ", failures " + failures);
        if (rec.stop() != null) {
          LOG.info("Peer {} stops: {}.", config.id(), rec.stop().reason());
          reason = "Stopped early after round " + r + ": " + rec.stop().reason() + ".";
          List<String> admins = peer.stoppedByAdmins();
          if (!admins.isEmpty()) {
            end = PeerState.STOPPED;
            reason = "Stopped after round " + r + ": the admin" + (admins.size() == 1 ? "" : "s") + " of " + String.join(", ", admins)
                + " stopped the federation.";
          }
          break;
        }
      }
      if (end == PeerState.FINISHED && reason == null) reason = completedAll();
      LOG.info("Peer {} is done after round {}.", config.id(), lastRound());
    } catch (InterruptedException e) {
      end = PeerState.STOPPED;
      reason = "Shut down during round " + (lastRound() + 1) + ".";
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (closing) {
        // close() interrupts the thread, which can surface as an I/O error inside a checkpoint write.
        end = PeerState.STOPPED;
        reason = "Shut down during round " + (lastRound() + 1) + ".";
        return;
      }
      end = PeerState.FAILED;
      error = e.getMessage();
      reason = "Failed in round " + (lastRound() + 1) + ": " + e.getMessage();
      LOG.error("Peer {} failed: {}", config.id(), e.getMessage(), e);
    } finally {
      setPhase(end);
    }
  }

  private String completedAll() {
    int n = config.settings().common().rounds();
    return n == 1 ? "Completed its one round." : "Completed all " + n + " rounds.";
  }

  /** Why there is nothing left to run (all rounds done, or an early stop in the history), if so. */
  private synchronized Optional<String> finishedBefore() {
    if (history.size() >= config.settings().common().rounds()) return Optional.of(completedAll());
    return lastSummary().filter(s -> s.stop() != null).map(s -> "Stopped early after round " + s.round() + ": " + s.stop() + ".");
  }

  /** Waits (up to one exchange timeout) for every neighbour to connect, saying whom it waits for. */
  private void awaitNeighbours() throws InterruptedException {
    if (config.peers().isEmpty()) return;
    Instant start = Instant.now();
    Instant deadline = start.plus(config.settings().common().exchangeTimeout());
    Instant nextLog = start;
    setPhase(PeerState.WAITING);
    while (!allConnected() && Instant.now().isBefore(deadline)) {
      synchronized (this) {
        if (stopRequested) return;
      }
      if (!Instant.now().isBefore(nextLog)) {
        LOG.info("Peer {} is waiting for peers {} since {}.", config.id(), String.join(", ", disconnected()), start.truncatedTo(ChronoUnit.SECONDS));
        nextLog = Instant.now().plus(WAIT_LOG_EVERY);
      }
      Thread.sleep(50);
    }
    if (!allConnected()) {
      LOG.warn("Peer {} starts without peers {}: they missed the exchange timeout of {} s and count as failures until they connect.",
          config.id(), String.join(", ", disconnected()), config.settings().common().exchangeTimeout().toSeconds());
    }
  }

  /** Blocks while paused; false if a stop was requested. */
  private synchronized boolean awaitGo() throws InterruptedException {
    // A pause takes effect once its round is done; until then the rounds before it run as usual.
    if (paused && !stopRequested && lastRound() >= pauseAfter) {
      setPhase(PeerState.PAUSED);
      LOG.info("Peer {} is paused after round {}.", config.id(), lastRound());
    }
    while (paused && !stopRequested && lastRound() >= pauseAfter) wait();
    return !stopRequested;
  }

  /**
   * Carries the DP accountant on, so that ε keeps counting and a spent budget stays spent across restarts. A
   * checkpoint without DP state (written without DP, or by a version before it was kept) cannot say what was spent.
   */
  private void restoreDp(Checkpoint c) {
    boolean dpOn = config.settings().dp().enabled();
    if (c.dp() != null && dpOn) {
      peer.restoreDp(c.dp());
      LOG.info("Peer {} carries on differential privacy from its checkpoint: {} releases, ε spent {} at δ = {}.", config.id(),
          c.dp().releases(), String.format("%.4f", peer.epsilon()), config.settings().dp().delta());
    } else if (c.dp() != null) {
      LOG.warn("Peer {}'s checkpoint spent differential privacy on {} releases, but DP is now off: from round {} on its updates are published without noise.",
          config.id(), c.dp().releases(), c.round() + 1);
    } else if (dpOn) {
      LOG.warn("Peer {}'s checkpoint holds no differential-privacy state (written without DP, or by a version that did not keep it): "
          + "ε counts from this restart, and the {} rounds before are not accounted for.", config.id(), c.round() + 1);
    }
  }

  private void checkpoint(int round, RoundSummary done) {
    long t0 = System.nanoTime();
    List<Checkpoint.NeighbourView> views = new ArrayList<>();
    List<PeerViews.View> held = peer.views().all();
    for (PeerViews.View v : held) {
      views.add(new Checkpoint.NeighbourView(v.peer(), v.round(), v.sync(), v.sequence(), v.dataSize(), v.params()));
    }
    Checkpoint c;
    synchronized (this) {
      List<RoundSummary> rounds = new ArrayList<>(history);
      rounds.add(done);
      LinkedHashSet<StopRecord> allStops = new LinkedHashSet<>(stops);
      allStops.addAll(peer.stops());
      c = new Checkpoint(provenance(round, held), round,
          network.copyParams(), trainer.optimiser().exportMoments(), trainer.optimiser().iteration(), trainer.epoch(), trainer.cursor(),
          peer.encoder().exportState(), views, rounds, List.copyOf(allStops), peer.dpState().orElse(null), consensus, peer.track());
    }
    store.write(c);
    checkpointTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
  }

  private void exportModel(int round) {
    ModelProvenance p = provenance(Math.max(round, 0), peer.views().all());
    float[] mine = personalModel;
    packedModel = mine == null ? PackedModel.pack(network, weightMode, p).toBytes()
        : network.withParams(mine, () -> PackedModel.pack(network, weightMode, p).toBytes());
    modelProvenance = p;
    float[] c = consensus;
    packedConsensus = c == null ? null : network.withParams(c, () -> PackedModel.pack(network, weightMode, p).toBytes());
  }

  /**
   * What produced this peer's model after {@code round}, as stored in checkpoints and served with the model: the
   * federation's settings, this peer's own, and the version of each neighbour snapshot it held.
   */
  private ModelProvenance provenance(int round, List<PeerViews.View> held) {
    SortedMap<String, String> settings = new TreeMap<>(ModelProvenance.federationSettings(config.settings()));
    settings.put("federation.name", config.federation());
    settings.put("peer.model", config.model());
    settings.put("peer.weights", config.weights());
    settings.put("peer.batch", Integer.toString(config.batch()));
    settings.put("peer.learning-rate", Double.toString(config.learningRate()));
    settings.put("peer.partition", String.valueOf(config.partition()));
    settings.put("peer.shard", config.shardIndex() + "/" + config.peersInPartition());
    // A table model carries its schema, so GET /api/model?format=onnx and POST /api/predict rebuild its preprocessing.
    if (schema != null) settings.putAll(ModelInputs.settings(schema));
    SortedMap<String, Long> alignedTo = new TreeMap<>();
    for (PeerViews.View v : held) alignedTo.put(v.peer(), ViewHash.of(v.params()));
    return new ModelProvenance(config.id(), round, config.settings().common().seed(), settings, codeVersion, alignedTo);
  }

  private synchronized void setPhase(PeerState p) {
    if (phase != p) {
      phase = p;
      since = Instant.now();
    }
  }

  private boolean allConnected() {
    return disconnected().isEmpty();
  }

  private List<String> disconnected() {
    List<String> down = new ArrayList<>();
    transport.links().forEach((id, l) -> {
      if (!l.connected()) down.add(id);
    });
    return down;
  }

  // ---- views for the admin API ----

  public String id() {
    return config.id();
  }

  public synchronized PeerStatus status() {
    PeerState s = phase;
    List<String> waitingFor = new ArrayList<>();
    String why = reason;
    if (s == PeerState.TRAINING || s == PeerState.WAITING) {
      List<String> down = disconnected();
      for (String p : down) waitingFor.add(p + " (down)");
      for (String p : pausedNeighbours) if (!down.contains(p)) waitingFor.add(p + " (paused)");
      s = waitingFor.isEmpty() ? PeerState.TRAINING : PeerState.WAITING;
      why = waitingFor.isEmpty() ? "Training round " + (lastRound() + 1) + " of " + config.settings().common().rounds() + "."
          : "Waiting for " + String.join(", ", waitingFor) + ".";
    } else if (s == PeerState.PAUSED) {
      why = "Paused after round " + lastRound() + " by " + pausedBy + (pausedFederationWide ? "" : " (this peer only)") + "; resume to go on.";
    } else if (s == PeerState.IDLE) {
      why = "Not started; POST /api/federation/start (or the dashboard's Start) begins round " + (lastRound() + 1) + ".";
    }
    Optional<RoundSummary> last = lastSummary();
    return new PeerStatus(config.id(), config.federation(), s.id(), why, waitingFor, paused, lastRound(), config.settings().common().rounds(),
        last.map(RoundSummary::testAccuracy).orElse(null), last.map(RoundSummary::testLoss).orElse(null),
        Double.isNaN(epsilon) ? null : epsilon, Double.isNaN(epsilon) ? null : config.settings().dp().delta(),
        since.truncatedTo(ChronoUnit.MILLIS).toString(), error, metric().id(), last.map(RoundSummary::testBalancedAccuracy).orElse(null),
        last.map(RoundSummary::testMacroF1).orElse(null), last.map(RoundSummary::testAuc).orElse(null),
        last.map(r -> r.consensusTestAccuracy() != null ? r.consensusTestAccuracy() : r.testAccuracy()).orElse(null),
        last.map(RoundSummary::personalAccuracy).orElse(null));
  }

  /** The metric that leads: the one early stopping watches, accuracy when it watches none. */
  public dev.ipa.alignment.model.Metric metric() {
    dev.ipa.alignment.model.Metric m = config.settings().common().earlyStop().metric();
    return m == null ? dev.ipa.alignment.model.Metric.ACCURACY : m;
  }

  /** NaN (a metric undefined here, e.g. AUC with ten classes) as null, so JSON shows it as absent. */
  private static Double finite(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** The state alone, for gauges and callers that only need to know whether it ended. */
  public PeerState state() {
    return phase;
  }

  /** Snapshots from {@code peer} this peer rejected as corrupt since start-up. */
  public long suspectedSnapshots(String peer) {
    return watched.suspectedSnapshots(peer);
  }

  /** Whether this peer is paused. */
  public synchronized boolean paused() {
    return paused;
  }

  public synchronized List<RoundSummary> history() {
    return List.copyOf(history);
  }

  public synchronized List<StopRecord> stops() {
    return List.copyOf(stops);
  }

  /** The last reason a neighbour's snapshot was rejected or suspected, if any (for {@code /api/peers}). */
  public java.util.Optional<String> lastSuspicion(String peer) {
    return distrust.last(peer);
  }

  /** ε spent so far at the configured δ; NaN without differential privacy. */
  public double epsilon() {
    return epsilon;
  }

  public Map<String, LinkState> links() {
    return transport.links();
  }

  private Optional<LinkState> link(String p) {
    return Optional.ofNullable(transport.links().get(p));
  }

  public synchronized int lastRound() {
    return history.size() - 1;
  }

  /** The last completed round's summary, if any. */
  public synchronized Optional<RoundSummary> lastSummary() {
    return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
  }

  /**
   * The network's accuracy on this organisation's own held-out data: its shard's local test split when it was
   * dealt a shard of shared data, else its own test set, whose evaluation {@code test} already is.
   */
  private Double personalAccuracy(Evaluation test) {
    return localTest.length == 0 ? test.accuracy() : LocalTrainer.evaluate(network, data.train(), localTest).accuracy();
  }

  /** The same figure for a model whose test-set evaluation is not needed otherwise: one evaluation, not two. */
  private Double ownDataAccuracy() {
    return localTest.length == 0 ? LocalTrainer.evaluate(network, data.test(), null).accuracy()
        : LocalTrainer.evaluate(network, data.train(), localTest).accuracy();
  }

  /** The personal model made again from the restored θ, moments, data cursor and consensus (null when it is θ itself). */
  private float[] personalAfterRestart() {
    try {
      return peer.personal(consensus); // the checkpoint's consensus: the same choice as before the restart
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Peer " + config.id() + " was interrupted while it made its personal model again after a restart.", e);
    }
  }

  /** The latest model, packed ({@link PackedModel#toBytes()}). */
  public byte[] packedModel() {
    return packedModel;
  }

  /**
   * The consensus model after the last round, packed like {@link #packedModel()}, or null where the consensus is
   * the model itself (FedAvg, FedProx, local-only, IPA before any snapshot arrived).
   */
  public byte[] packedConsensus() {
    return packedConsensus;
  }

  public ModelProvenance modelProvenance() {
    return modelProvenance;
  }

  /** Blocks until the federation thread ends (for tests and the CLI). */
  public void join(Duration timeout) throws InterruptedException {
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) t.join(timeout.toMillis());
  }

  @PreDestroy
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closing = true;
      stopRequested = true;
      notifyAll();
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    peer.close();
    // A checkpoint being written when the interrupt came is finished first (CheckpointStore.write), so this is
    // what a restart resumes from.
    LOG.info("Peer {} shut down; it keeps {}.", config.id(),
        store.files().stream().findFirst().map(f -> f.getFileName() + " (round " + lastRound() + ")").orElse("no checkpoint"));
  }
}
