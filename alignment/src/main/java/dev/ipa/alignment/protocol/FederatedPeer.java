package dev.ipa.alignment.protocol;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.penalty.AlignmentPenalty;
import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.train.GradientPenalty;
import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.compression.EncodedSnapshot;
import dev.ipa.compression.NonFiniteValueException;
import dev.ipa.compression.SnapshotEncoder;
import dev.ipa.compression.TensorLayout;
import dev.ipa.transport.PeerInbox;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.SnapshotLoan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The round protocol of one peer, written once and run unchanged over any {@link PeerTransport}: the in-memory
 * network of a simulation or Netty with mutual TLS in a daemon.
 *
 * <p>A round of the <b>parallel</b> protocol, repeated {@code syncs} times per local epoch:
 *
 * <ol>
 *   <li>train 1/syncs of an epoch on the local shard, with the algorithm's penalty (IPA: alignment to the
 *       neighbours' last snapshots; FedProx: proximal term);</li>
 *   <li>publish an encoded snapshot of θ to this round's outgoing neighbours;</li>
 *   <li>wait until every incoming neighbour has published for this exchange, or the timeout passes; late
 *       neighbours become {@link PeerFailure}s and the round goes on with what arrived;</li>
 *   <li>FedAvg/FedProx: replace θ by the data-size weighted mean of θ and the snapshots received.</li>
 * </ol>
 *
 * then evaluate on the local validation split and apply the early-stop policy.
 *
 * <p>Lifecycle: construct → {@link #start()} (registers with the transport) → {@link #runRound} for each round
 * in order, from one thread → {@link #close()}. The transport calls the {@link PeerInbox} methods from its own
 * threads; everything they touch is thread-safe.
 */
public final class FederatedPeer implements PeerInbox, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FederatedPeer.class);

  private final String id;
  private final List<String> peers;
  private final FederationSettings settings;
  private final Network network;
  private final LocalTrainer trainer;
  private final Dataset validationSet;
  private final int[] validation;
  private final int dataSize;
  private final long totalDataSize;
  private final PeerTransport transport;
  private final PeerViews views;
  private final SnapshotDecoding decoding;
  private final SnapshotEncoder encoder;
  private final Semaphore compute;

  private final AtomicBoolean resyncRequested = new AtomicBoolean();
  private final AtomicLong sequence = new AtomicLong();
  private final ConcurrentLinkedQueue<StopRecord> stops = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stopAnnounced = new AtomicBoolean();
  private volatile boolean federationStopping;
  private float[] averageAnchor; // FedProx: the last averaged model
  // Ring states wait here for the round thread, still on loan: it releases each once decoded or skipped.
  private final java.util.concurrent.BlockingQueue<SnapshotLoan> ringInbox = new java.util.concurrent.LinkedBlockingQueue<>();
  private float[][] ringCopies; // ring protocol: this peer's copy of θ*, between turns
  private int[] ringSizes;
  private boolean frozen;
  private volatile int stalenessBound;
  private double bestValidationLoss = Double.POSITIVE_INFINITY;
  private int roundsWithoutImprovement;

  /**
   * @param id             this peer
   * @param peers          every peer of the federation, in a fixed order shared by all
   * @param trainer        trains {@code network} on this peer's shard
   * @param validationSet  data set holding the validation samples
   * @param validation     indices of the local validation split
   * @param totalDataSize  Σ|D| over the federation (for data-size weights)
   * @param compute        optional permit pool limiting concurrent training in a simulation (null = none)
   */
  public FederatedPeer(String id, List<String> peers, FederationSettings settings, Network network, LocalTrainer trainer,
      Dataset validationSet, int[] validation, long totalDataSize, PeerTransport transport, SnapshotDecoding decoding,
      Semaphore compute) {
    if (!peers.contains(id)) throw new IllegalArgumentException("Peer '" + id + "' is not in the federation's peer list " + peers + ".");
    this.id = id;
    this.peers = List.copyOf(peers);
    this.settings = settings;
    this.network = network;
    this.trainer = trainer;
    this.validationSet = validationSet;
    this.validation = validation.clone();
    this.dataSize = trainer.sampleCount();
    this.totalDataSize = totalDataSize;
    this.transport = transport;
    this.decoding = decoding;
    this.views = new PeerViews(id, decoding);
    this.encoder = new SnapshotEncoder(layoutOf(network), settings.codec());
    this.compute = compute;
  }

  /** The compression layout of a network's flat parameter vector. */
  public static TensorLayout layoutOf(Network network) {
    TensorLayout.Builder b = TensorLayout.builder();
    network.tensors().forEach(t -> b.add(t.name(), t.shape()));
    return b.build();
  }

  public String id() {
    return id;
  }

  public Network network() {
    return network;
  }

  public LocalTrainer trainer() {
    return trainer;
  }

  public PeerViews views() {
    return views;
  }

  public SnapshotEncoder encoder() {
    return encoder;
  }

  /** Stops recorded so far (this peer's own and those its neighbours announced). */
  public List<StopRecord> stops() {
    return List.copyOf(stops);
  }

  public boolean isFrozen() {
    return frozen;
  }

  /**
   * Switches the parallel protocol from synchronous exchanges to bounded staleness: at an exchange of round r the
   * peer waits only until every neighbour has published something from round r − {@code rounds} or later, and
   * aligns to the latest snapshots it holds. 0 (the default) is synchronous.
   */
  public void boundedStaleness(int rounds) {
    if (rounds < 0) throw new IllegalArgumentException("The staleness bound must be ≥ 0 rounds, got " + rounds + ".");
    this.stalenessBound = rounds;
  }

  /** Registers with the transport; messages start arriving after this. */
  public void start() {
    transport.start(this);
  }

  /** Runs round {@code round}; returns what happened. Call rounds in order from one thread. */
  public RoundRecord runRound(int round) throws InterruptedException {
    if (settings.protocol() == FederationSettings.Protocol.RING && settings.algorithm() == Algorithm.IPA && peers.size() > 1) {
      return runRingRound(round);
    }
    int steps = trainer.stepsPerEpoch();
    long bytes = 0;
    int sent = 0;
    double loss = 0;
    List<PeerFailure> failures = new ArrayList<>();
    int maxStaleness = 0;
    boolean exchanges = settings.algorithm() != Algorithm.LOCAL && peers.size() > 1;
    for (int s = 0; s < settings.syncs(); s++) {
      int share = steps / settings.syncs() + (s < steps % settings.syncs() ? 1 : 0);
      if (!frozen) {
        int asOfRound = s == 0 ? round - 1 : round;
        int asOfSync = s == 0 ? settings.syncs() - 1 : s - 1;
        GradientPenalty penalty;
        if (settings.algorithm() == Algorithm.IPA) {
          // The neighbours' snapshots of the last exchange (possibly extrapolated), read once for both IPA steps.
          List<PeerViews.View> vs = views.asOf(settings.topology().incoming(id, peers, round, settings.seed()), asOfRound, asOfSync);
          float[][] targets = vs.stream().map(this::target).toArray(float[][]::new);
          if (settings.mix() > 0) proximalStep(vs, targets);
          penalty = alignmentPenalty(vs, targets);
        } else {
          penalty = penalty();
        }
        acquire();
        try {
          loss += trainer.trainSteps(share, penalty);
        } finally {
          release();
        }
      }
      if (!exchanges) continue;
      Set<String> to = settings.topology().outgoing(id, peers, round, settings.seed());
      bytes += publish(round, s, to);
      sent += to.size();
      Set<String> incoming = settings.topology().incoming(id, peers, round, settings.seed());
      int bound = stalenessBound;
      failures.addAll(bound == 0 ? views.await(incoming, round, s, settings.exchangeTimeout())
          : views.await(incoming, round - bound, 0, settings.exchangeTimeout()));
      for (PeerViews.View v : views.asOf(incoming, round, s)) maxStaleness = Math.max(maxStaleness, round - v.round());
      if (!frozen && (settings.algorithm() == Algorithm.FEDAVG || settings.algorithm() == Algorithm.FEDPROX)) {
        average(views.asOf(incoming, round, s));
      }
    }
    Evaluation val = evaluateValidation();
    StopRecord stop = earlyStop(round, val);
    return new RoundRecord(id, round, loss / dataSize, val.accuracy(), val.meanLoss(), bytes, sent, List.copyOf(failures), maxStaleness, frozen, stop);
  }

  /** This round's ring order: the peer list, reshuffled from (seed, round) so no peer always goes first. */
  public static List<String> ringOrder(List<String> peers, int round, long seed) {
    List<String> order = new ArrayList<>(peers);
    java.util.Collections.shuffle(order, new java.util.Random(seed * 1_000_033L + round));
    return order;
  }

  /**
   * One round of the IPA paper's Algorithm 1. The peer waits for θ* from its predecessor in this round's order
   * (the first peer of round 0 starts from its own copies), takes θ_i from it, trains one local epoch with the
   * alignment term towards the copies θ_j, and in the same steps pulls each copy towards θ_i by the alignment
   * gradient with respect to θ_j (an Adam-sized step lr·sign(θ_i − θ_j), which is what Adam makes of a gradient
   * of constant sign), then passes θ* on. A predecessor that does not deliver in time is a failure; the peer
   * then continues from its own last copy of θ*.
   */
  private RoundRecord runRingRound(int round) throws InterruptedException {
    List<String> order = ringOrder(peers, round, settings.seed());
    int pos = order.indexOf(id);
    int me = peers.indexOf(id);
    int n = peers.size();
    int p = network.parameterCount();
    List<PeerFailure> failures = new ArrayList<>();
    boolean starter = round == 0 && pos == 0;
    if (ringCopies == null) {
      float[] own = network.copyParams();
      ringCopies = new float[n][];
      for (int j = 0; j < n; j++) ringCopies[j] = own.clone();
      ringSizes = new int[n];
    }
    if (!starter) {
      String from = pos > 0 ? order.get(pos - 1) : ringOrder(peers, round - 1, settings.seed()).get(n - 1);
      SnapshotLoan s = awaitRing(round, pos > 0 ? round : round - 1, settings.exchangeTimeout());
      if (s == null) {
        failures.add(new PeerFailure(from, round, 0, "θ* did not arrive within " + settings.exchangeTimeout().toSeconds() + " s"));
      } else {
        try {
          ringCopies = RingState.decode(s.snapshot().payload(), n, p, ringSizes);
        } finally {
          s.release();
        }
      }
    }
    network.setParams(ringCopies[me]);
    ringSizes[me] = dataSize;
    double loss = 0;
    if (!frozen) {
      float[][] targets = new float[n - 1][];
      int[] others = new int[n - 1];
      int[] sz = new int[n - 1];
      for (int j = 0, k = 0; j < n; j++) {
        if (j == me) continue;
        others[k] = j;
        targets[k] = ringCopies[j];
        // A peer that has not held θ* yet has announced no size; count it like this peer until it has.
        sz[k] = ringSizes[j] > 0 ? ringSizes[j] : dataSize;
        k++;
      }
      double[] c = gradientCoefficients(sz);
      float step = (float) trainer.learningRate();
      Distance d = settings.distance();
      GradientPenalty penalty = (params, grads) -> {
        double v = AlignmentPenalty.addGradient(params, grads, targets, c, d);
        // The same step pulls each copy θ_j towards θ_i (gradient of c_j·D(θ_i, θ_j) w.r.t. θ_j).
        for (int k = 0; k < targets.length; k++) {
          if (c[k] == 0) continue;
          float[] t = targets[k];
          for (int i = 0; i < params.length; i++) {
            float diff = params[i] - t[i];
            t[i] += diff > 0 ? step : diff < 0 ? -step : 0f;
          }
        }
        return v;
      };
      acquire();
      try {
        loss = trainer.trainSteps(trainer.stepsPerEpoch(), penalty);
      } finally {
        release();
      }
    }
    ringCopies[me] = network.copyParams();
    String next = pos < n - 1 ? order.get(pos + 1) : (round + 1 < settings.rounds() ? ringOrder(peers, round + 1, settings.seed()).get(0) : null);
    long bytes = 0;
    int sent = 0;
    if (next != null && !next.equals(id)) {
      byte[] payload = RingState.encode(ringCopies, ringSizes);
      transport.publish(new PeerSnapshot(id, round, 0, sequence.incrementAndGet(), dataSize, payload, PeerSnapshot.Kind.RING_STATE), List.of(next));
      bytes = payload.length;
      sent = 1;
    }
    Evaluation val = evaluateValidation();
    StopRecord stop = earlyStop(round, val);
    return new RoundRecord(id, round, loss / dataSize, val.accuracy(), val.meanLoss(), bytes, sent, List.copyOf(failures), 0, frozen, stop);
  }

  /** The next ring state of {@code expectedRound} or later, still on loan; older ones are released unread. */
  private SnapshotLoan awaitRing(int round, int expectedRound, java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      SnapshotLoan s = ringInbox.poll(left, java.util.concurrent.TimeUnit.NANOSECONDS);
      if (s == null) return null;
      if (s.snapshot().round() >= expectedRound) return s;
      s.release();
    }
  }

  /** Whether the federation told this peer to stop (or it stopped itself). */
  public boolean stopping() {
    return federationStopping;
  }

  /** Accuracy and loss on the local validation split, inside a compute permit. */
  private Evaluation evaluateValidation() throws InterruptedException {
    acquire();
    try {
      return LocalTrainer.evaluate(network, validationSet, validation);
    } finally {
      release();
    }
  }

  private StopRecord earlyStop(int round, Evaluation val) {
    EarlyStop policy = settings.earlyStop();
    StopRecord stop = null;
    if (!Double.isNaN(policy.targetAccuracy()) && val.accuracy() >= policy.targetAccuracy() && stopAnnounced.compareAndSet(false, true)) {
      stop = new StopRecord(id, round, String.format("reached validation accuracy %.4f ≥ target %.4f", val.accuracy(), policy.targetAccuracy()));
      stops.add(stop);
      federationStopping = true;
      transport.notify(new PeerNotice(id, PeerNotice.Kind.STOP, round, stop.reason()), otherPeers());
    }
    if (policy.patience() > 0 && !frozen) {
      if (val.meanLoss() < bestValidationLoss - 1e-6) {
        bestValidationLoss = val.meanLoss();
        roundsWithoutImprovement = 0;
      } else if (++roundsWithoutImprovement >= policy.patience()) {
        frozen = true;
        stops.add(new StopRecord(id, round, "froze: validation loss did not improve for " + policy.patience() + " rounds; still serving its last snapshot"));
      }
    }
    if (stop == null && federationStopping) {
      StopRecord cause = stops.peek();
      stop = new StopRecord(id, round, "stopped because " + (cause == null ? "the federation stopped" : cause.peer() + " " + cause.reason()));
    }
    return stop;
  }

  private List<String> otherPeers() {
    List<String> others = new ArrayList<>(peers);
    others.remove(id);
    return others;
  }

  /** Encodes θ and sends it to {@code to}; returns the bytes sent, counted per receiver. */
  private long publish(int round, int sync, Set<String> to) {
    if (resyncRequested.getAndSet(false)) encoder.requestFullResync();
    float[] theta = network.copyParams();
    EncodedSnapshot e;
    try {
      e = encoder.encode(theta, round);
    } catch (NonFiniteValueException ex) {
      throw new IllegalStateException("Peer " + id + " diverged: " + ex.getMessage() + " Lower the learning rate or λ.", ex);
    }
    PeerSnapshot snapshot = new PeerSnapshot(id, round, sync, sequence.incrementAndGet(), dataSize, e.bytes());
    decoding.onPublished(snapshot, encoder::receiversView);
    transport.publish(snapshot, to);
    return (long) e.bytes().length * to.size();
  }

  /**
   * IPA's proximal step: θ moves to the weighted mean of θ (weight w_i) and {@code targets}, the (possibly
   * extrapolated) snapshots of the views {@code vs} (weights mix·w_j, or with normalisation mix·(1 − w_i)·w_j/Σw so that the pull does not
   * shrink when a neighbour is missing). mix = 1 with every neighbour present gives the data-size weighted mean of
   * the whole federation.
   */
  private void proximalStep(List<PeerViews.View> vs, float[][] targets) {
    if (vs.isEmpty()) return;
    boolean bySize = settings.weighting() == AlignmentPenalty.Weighting.DATA_SIZE;
    double own = bySize ? (double) dataSize / totalDataSize : 1.0 / peers.size();
    double[] w = new double[vs.size()];
    double sum = 0;
    for (int j = 0; j < w.length; j++) {
      w[j] = bySize ? (double) vs.get(j).dataSize() / totalDataSize : 1.0 / peers.size();
      sum += w[j];
    }
    double[] c = new double[vs.size()];
    for (int j = 0; j < w.length; j++) c[j] = settings.mix() * (settings.normalise() && sum > 0 ? (1 - own) * w[j] / sum : w[j]);
    float[] theta = network.copyParams();
    AlignmentPenalty.proximalStep(theta, targets, own, c);
    network.setParams(theta);
  }

  /** IPA's gradient term towards {@code targets}, the (possibly extrapolated) snapshots of the views {@code vs}. */
  private GradientPenalty alignmentPenalty(List<PeerViews.View> vs, float[][] targets) {
    if (vs.isEmpty() || settings.lambda() == 0) return GradientPenalty.NONE;
    double[] c = gradientCoefficients(vs.stream().mapToInt(PeerViews.View::dataSize).toArray());
    Distance d = settings.distance();
    return (params, grads) -> AlignmentPenalty.addGradient(params, grads, targets, c, d);
  }

  /** c_j = λ·w_j for neighbours of the given sizes, the weights normalised to sum to one if so configured. */
  private double[] gradientCoefficients(int[] sizes) {
    double[] w = AlignmentPenalty.weights(sizes, totalDataSize, peers.size(), settings.weighting());
    double sum = 0;
    for (double x : w) sum += x;
    double[] c = new double[w.length];
    for (int j = 0; j < w.length; j++) c[j] = settings.lambda() * (settings.normalise() && sum > 0 ? w[j] / sum : w[j]);
    return c;
  }

  /** The penalty of the baselines: FedProx's proximal term towards the last averaged model, else none. */
  private GradientPenalty penalty() {
    if (settings.algorithm() != Algorithm.FEDPROX || averageAnchor == null || settings.mu() == 0) return GradientPenalty.NONE;
    float[][] anchor = {averageAnchor};
    double[] c = {settings.mu() / 2};
    return (params, grads) -> AlignmentPenalty.addGradient(params, grads, anchor, c, Distance.L2);
  }

  /** θ̃_j, or with staleness compensation θ̃_j + γ·(θ̃_j − θ̃_j,previous). */
  private float[] target(PeerViews.View v) {
    double g = settings.extrapolate();
    if (g == 0 || v.previous() == null) return v.params();
    float[] t = new float[v.params().length];
    float gf = (float) g;
    float[] prev = v.previous().params();
    for (int i = 0; i < t.length; i++) t[i] = v.params()[i] + gf * (v.params()[i] - prev[i]);
    return t;
  }

  private void average(List<PeerViews.View> vs) {
    float[] theta = network.copyParams();
    double total = dataSize;
    double[] acc = new double[theta.length];
    for (int i = 0; i < theta.length; i++) acc[i] = (double) dataSize * theta[i];
    for (PeerViews.View v : vs) {
      total += v.dataSize();
      float[] p = v.params();
      for (int i = 0; i < theta.length; i++) acc[i] += (double) v.dataSize() * p[i];
    }
    for (int i = 0; i < theta.length; i++) theta[i] = (float) (acc[i] / total);
    network.setParams(theta);
    averageAnchor = theta;
  }

  private void acquire() throws InterruptedException {
    if (compute != null) compute.acquire();
  }

  private void release() {
    if (compute != null) compute.release();
  }

  // ---- PeerInbox: called on transport threads ----

  @Override
  public void onSnapshot(PeerSnapshot snapshot) {
    onSnapshot(SnapshotLoan.unpooled(snapshot));
  }

  /**
   * Decodes the snapshot into this peer's view of the sender (which copies it) and gives the payload back to the
   * transport, so the next snapshot from that sender is received into the same array.
   */
  @Override
  public void onSnapshot(SnapshotLoan loan) {
    PeerSnapshot snapshot = loan.snapshot();
    if (snapshot.kind() == PeerSnapshot.Kind.RING_STATE) {
      ringInbox.add(loan);
      return;
    }
    PeerViews.Accepted a;
    try {
      a = views.accept(snapshot);
    } finally {
      loan.release();
    }
    if (a != PeerViews.Accepted.APPLIED) {
      LOG.debug("Peer {} could not apply {} ({}); asking for a full snapshot", id, snapshot, a);
      transport.notify(new PeerNotice(id, PeerNotice.Kind.RESYNC_REQUEST, snapshot.round(), a.name().toLowerCase()), List.of(snapshot.peerId()));
    }
  }

  @Override
  public void onNotice(PeerNotice notice) {
    switch (notice.kind()) {
      case RESYNC_REQUEST -> resyncRequested.set(true);
      case STOP -> {
        stops.add(new StopRecord(notice.from(), notice.round(), notice.reason()));
        views.markStopped(notice.from());
        federationStopping = true;
        views.wake();
      }
    }
  }

  @Override
  public void onLinkChange(String peerId, boolean up) {
    // A neighbour that reconnects may have missed deltas: send it a full snapshot next.
    if (up) resyncRequested.set(true);
  }

  @Override
  public void close() {
    transport.close();
  }
}
