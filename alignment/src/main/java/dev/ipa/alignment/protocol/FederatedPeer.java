package dev.ipa.alignment.protocol;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.compression.CodecSpec;
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
 * network of a simulation or Netty with mutual TLS in a daemon. What the algorithm does with its neighbours'
 * parameters is its {@link FederationStrategy}'s business; this class only runs the rounds.
 *
 * <p>A round of the <b>parallel</b> protocol, repeated {@code syncs} times per local epoch:
 *
 * <ol>
 *   <li>{@link FederationStrategy#beforeTraining} with the neighbours' snapshots of the previous exchange, then
 *       train 1/syncs of an epoch on the local shard with the penalty it returns;</li>
 *   <li>publish an encoded snapshot of θ to this round's outgoing neighbours;</li>
 *   <li>wait until every incoming neighbour has published for this exchange (with a staleness bound S &gt; 0: for
 *       round r − S or later), or the timeout passes; late neighbours become {@link PeerFailure}s and the round
 *       goes on with what arrived;</li>
 *   <li>{@link FederationStrategy#afterExchange} with what arrived and the failures;</li>
 * </ol>
 *
 * then evaluate on the local validation split and apply the early-stop policy ({@link EarlyStopping}). A
 * {@link FederationStrategy.Standalone} strategy skips steps 2–4. With the <b>ring</b> protocol and a strategy
 * that can take ring turns, a round is one turn of {@link RingProtocol} instead.
 *
 * <p>Lifecycle: construct → {@link #start()} (registers with the transport) → {@link #runRound} for each round
 * in order, from one thread → {@link #close()}. The transport calls the {@link PeerInbox} methods from its own
 * threads; everything they touch is thread-safe.
 */
public final class FederatedPeer implements PeerInbox, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FederatedPeer.class);

  private final String id;
  private final List<String> peers;
  private final CommonSettings settings;
  private final Network network;
  private final LocalTrainer trainer;
  private final Dataset validationSet;
  private final int[] validation;
  private final int dataSize;
  private final PeerTransport transport;
  private final PeerViews views;
  private final SnapshotDecoding decoding;
  private final SnapshotEncoder encoder;
  // IPA mixes published views (PeerContext.publishedView) only with sign deltas: measured better there on every
  // reference split, and far worse with tiles (CHOCO's step 1 needs a codec that keeps enough of each delta).
  private final boolean mixesPublishedViews;
  private final PeerContext context;
  private final FederationStrategy strategy;
  private final boolean exchanges;
  private final RingProtocol ring; // null unless this peer runs the ring protocol
  private final EarlyStopping earlyStopping;
  private final RobustSettings robust;
  private final Suspicions suspicions;
  private final GaussianUpdateMechanism dp; // null without differential privacy
  private final DpSettings dpSettings;
  private final java.util.Set<String> targetReachedBy = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private boolean budgetAnnounced;

  private final AtomicBoolean resyncRequested = new AtomicBoolean();
  private final AtomicLong sequence = new AtomicLong();
  private final ConcurrentLinkedQueue<StopRecord> stops = new ConcurrentLinkedQueue<>();
  private volatile boolean federationStopping;
  /** The peers whose admins stopped them: each is one vote to stop the federation. */
  private final java.util.Set<String> adminStopBy = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile String stopCause; // why the federation stops, once a quorum of admins voted (defences on)

  /** The reason of the STOP notice a daemon sends when its admin stopped it: a vote to stop the whole federation. */
  public static final String ADMIN_STOP_REASON = "was stopped by its admin";

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
    this(id, peers, settings, network, trainer, validationSet, validation, totalDataSize, transport, decoding, compute,
        java.util.Map.of(), new java.security.SecureRandom());
  }

  /**
   * @param dataSizes the federation's training-set sizes fixed at provisioning, by peer (may be empty: claims are
   *                  then capped, see {@link RobustSettings#maxDataSize()})
   * @param dpNoise   the source of differential-privacy noise; a {@link java.security.SecureRandom} unless a
   *                  simulation must repeat bit for bit
   */
  public FederatedPeer(String id, List<String> peers, FederationSettings settings, Network network, LocalTrainer trainer,
      Dataset validationSet, int[] validation, long totalDataSize, PeerTransport transport, SnapshotDecoding decoding,
      Semaphore compute, java.util.Map<String, Integer> dataSizes, java.util.Random dpNoise) {
    if (!peers.contains(id)) throw new IllegalArgumentException("Peer '" + id + "' is not in the federation's peer list " + peers + ".");
    this.id = id;
    this.peers = List.copyOf(peers);
    this.settings = settings.common();
    this.network = network;
    this.trainer = trainer;
    this.validationSet = validationSet;
    this.validation = validation.clone();
    this.dataSize = trainer.sampleCount();
    this.transport = transport;
    this.decoding = decoding;
    this.robust = settings.robust();
    this.suspicions = new Suspicions(id);
    int cap = robust.maxDataSize() > 0 ? robust.maxDataSize()
        : (int) Math.min(Integer.MAX_VALUE, Math.max(1, 2 * totalDataSize / this.peers.size()));
    java.util.Map<String, Integer> sizes = new java.util.TreeMap<>(robust.dataSizes());
    sizes.putAll(dataSizes);
    // A view's predecessor's own predecessor is read only by staleness compensation.
    this.views = new PeerViews(id, decoding, suspicions, new DataSizeClaims(robust.enabled(), sizes, cap), settings.ipa().extrapolate() != 0);
    this.encoder = new SnapshotEncoder(layoutOf(network), this.settings.codec());
    this.mixesPublishedViews = this.settings.codec().codec().kind() == CodecSpec.Kind.SIGN;
    this.context = new PeerContext(id, this.peers, network, trainer, totalDataSize, compute, validationSet, this.validation, suspicions,
        this::publishedView);
    // The neighbours' provisioned sizes are known before any snapshot arrives, and again right after a restart.
    sizes.forEach((peer, size) -> { if (!peer.equals(id) && this.peers.contains(peer)) context.heard(size); });
    this.dpSettings = settings.dp();
    this.dp = settings.dp().enabled() ? new GaussianUpdateMechanism(settings.dp(), network.copyParams(), dpNoise) : null;
    this.strategy = settings.strategy(context);
    boolean alone = this.peers.size() == 1;
    this.exchanges = !alone && !(strategy instanceof FederationStrategy.Standalone);
    this.ring = !alone && this.settings.protocol() == Protocol.RING && strategy instanceof FederationStrategy.RingTurn turn
        ? new RingProtocol(context, this.settings, turn, transport, sequence::incrementAndGet) : null;
    this.earlyStopping = new EarlyStopping(this.settings.earlyStop());
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

  /**
   * Puts back a neighbour's view from a checkpoint, and the (checked) data size it carries into n_max, as the
   * exchange that brought it did.
   */
  public void restoreView(PeerViews.View v) {
    views.restore(v);
    context.heard(v.dataSize());
  }

  public SnapshotEncoder encoder() {
    return encoder;
  }

  /** Stops recorded so far (this peer's own and those its neighbours announced). */
  public List<StopRecord> stops() {
    return List.copyOf(stops);
  }

  /** ε spent so far on the published updates at the configured δ; NaN without differential privacy. Round thread. */
  public double epsilon() {
    return dp == null ? Double.NaN : dp.epsilon();
  }

  /** The differential-privacy state a checkpoint keeps (accountant and last published parameters); empty without DP. */
  public java.util.Optional<GaussianUpdateMechanism.State> dpState() {
    return dp == null ? java.util.Optional.empty() : java.util.Optional.of(dp.state());
  }

  /** Carries the differential-privacy state on from a checkpoint; before the first round, without DP an error. */
  public void restoreDp(GaussianUpdateMechanism.State s) {
    if (dp == null) throw new IllegalStateException("Peer " + id + " runs without differential privacy; there is no accountant to restore.");
    dp.restore(s);
  }

  /** n_max of the contribution stop and the fair share: the largest data size provisioned or heard claimed. */
  long largestDataSize() {
    return context.largestDataSize();
  }

  /** Whether patience froze this peer; read it from the round thread. */
  public boolean isFrozen() {
    return earlyStopping.frozen();
  }

  /** Registers with the transport; messages start arriving after this. */
  public void start() {
    transport.start(this);
  }

  /** Runs round {@code round}; returns what happened. Call rounds in order from one thread. */
  public RoundRecord runRound(int round) throws InterruptedException {
    if (ring != null) {
      RingProtocol.Turn t = ring.takeTurn(round, earlyStopping.frozen());
      return finishRound(round, t.loss(), t.bytesSent(), t.snapshotsSent(), t.failures(), 0);
    }
    int steps = trainer.stepsPerEpoch();
    int syncs = settings.syncs();
    long bytes = 0;
    int sent = 0;
    double loss = 0;
    List<PeerFailure> failures = new ArrayList<>();
    int maxStaleness = 0;
    for (int s = 0; s < syncs; s++) {
      int share = share(steps, syncs, s);
      suspicions.at(round, s);
      Set<String> incoming = settings.topology().incoming(id, peers, round, settings.seed());
      strategy.beforeShare(share, earlyStopping.frozen());
      if (!earlyStopping.frozen()) {
        // The previous exchange: for the first share, the last one of the previous round, from the peers that sent
        // in it (the same peers unless the topology changes every round).
        List<PeerViews.View> last = s == 0 ? views.asOf(settings.topology().incoming(id, peers, round - 1, settings.seed()), round - 1, syncs - 1)
            : views.asOf(incoming, round, s - 1);
        loss += context.train(share, strategy.beforeTraining(last));
      }
      if (!exchanges) continue;
      Set<String> to = settings.topology().outgoing(id, peers, round, settings.seed());
      bytes += publish(round, s, to);
      sent += to.size();
      int bound = settings.staleness();
      // Once the federation is stopping, every peer ends after this round, and some have left already: the rest of
      // the round takes what has arrived instead of waiting out the timeout for peers that will not send again.
      java.time.Duration wait = federationStopping ? java.time.Duration.ZERO : settings.exchangeTimeout();
      List<PeerFailure> missing = bound == 0 ? views.await(incoming, round, s, wait) : views.await(incoming, round - bound, 0, wait);
      if (federationStopping) missing = List.of(); // not failures: the peers stopped, as this one is about to
      failures.addAll(missing);
      List<PeerViews.View> received = views.asOf(incoming, round, s);
      for (PeerViews.View v : received) {
        maxStaleness = Math.max(maxStaleness, round - v.round());
        context.heard(v.dataSize());
      }
      if (!earlyStopping.frozen()) strategy.afterExchange(received, missing);
      // Only this exchange's senders are aligned to next (and the next exchange's may already be arriving).
      Set<String> next = s + 1 < syncs ? incoming : settings.topology().incoming(id, peers, round + 1, settings.seed());
      if (!next.equals(incoming)) {
        Set<String> keep = new java.util.HashSet<>(incoming);
        keep.addAll(next);
        views.retainOnly(keep);
      }
    }
    return finishRound(round, loss, bytes, sent, failures, maxStaleness);
  }

  /**
   * The consensus model as of this peer's last exchange (see {@link FederationStrategy#consensus}), or null when it
   * is the network's θ itself. Call between rounds, from the thread that runs them.
   */
  public float[] consensus() throws InterruptedException {
    return strategy.consensus();
  }

  /**
   * The personal model when it is not the network's θ (see {@link FederationStrategy#personal}), or null, given
   * this round's {@link #consensus} (null: θ). Call between rounds, from the thread that runs them.
   */
  public float[] personal(float[] consensus) throws InterruptedException {
    return strategy.personal(consensus);
  }

  /** The strategy's second model (IPA's own model) for a checkpoint, or null; call between rounds. */
  public ModelState track() {
    return strategy.track();
  }

  /** Puts back a checkpoint's {@link #track()}; call before the first round. */
  public void restoreTrack(ModelState s) {
    strategy.restoreTrack(s);
  }

  /** Training steps of share {@code s} of an epoch of {@code steps} split into {@code syncs} shares (the first ones take the remainder). */
  static int share(int steps, int syncs, int s) {
    return steps / syncs + (s < steps % syncs ? 1 : 0);
  }

  /** Whether the federation told this peer to stop (or it stopped itself). */
  public boolean stopping() {
    return federationStopping;
  }

  /** Evaluates on the validation split, applies early stopping and records the round. */
  private RoundRecord finishRound(int round, double loss, long bytes, int sent, List<PeerFailure> failures, int maxStaleness)
      throws InterruptedException {
    Evaluation val = context.evaluate(validationSet, validation);
    StopRecord stop = earlyStop(round, val);
    List<PeerFailure> all = new ArrayList<>(failures);
    all.addAll(suspicions.drain());
    return new RoundRecord(id, round, loss / dataSize, val.accuracy(), val.meanLoss(), bytes, sent, List.copyOf(all), maxStaleness,
        earlyStopping.frozen(), stop, epsilon());
  }

  private StopRecord earlyStop(int round, Evaluation val) {
    EarlyStop policy = earlyStopping.policy();
    EarlyStopping.Outcome outcome = earlyStopping.observe(val);
    String watched = policy.metric() == null ? "accuracy" : policy.metric().id();
    StopRecord stop = null;
    if (outcome.reachedTarget()) {
      double reachedValue = policy.metric() == null ? val.accuracy() : policy.metric().of(val);
      String reason = String.format("reached validation %s %.4f ≥ target %.4f", watched, reachedValue, policy.targetAccuracy());
      transport.notify(new PeerNotice(id, PeerNotice.Kind.STOP, round, reason), otherPeers());
      targetReachedBy.add(id);
      if (quorumReached()) {
        stop = new StopRecord(id, round, reason);
        stops.add(stop);
        for (String p : targetReachedBy) if (!p.equals(id)) views.markStopped(p);
        federationStopping = true;
      }
    }
    int earned = EarlyStop.contributionRound(settings.rounds(), dataSize, context.largestDataSize());
    if (policy.contribution() && !earlyStopping.frozen() && earned < settings.rounds() - 1 && round >= earned) {
      earlyStopping.freeze();
      stops.add(new StopRecord(id, round, String.format("froze: its %d samples are %.2f of the largest peer's %d, which earns %d of the %d rounds; "
          + "still serving its last snapshot", dataSize, dataSize / (double) context.largestDataSize(), context.largestDataSize(), round + 1, settings.rounds())));
    }
    if (outcome.froze()) {
      stops.add(new StopRecord(id, round, "froze: validation " + (policy.metric() == null ? "loss" : watched) + " did not improve for " + policy.patience() + " rounds; still serving its last snapshot"));
    }
    if (stop == null && federationStopping) {
      StopRecord cause = stops.peek();
      stop = new StopRecord(id, round, "stopped because " + (stopCause != null ? stopCause
          : cause == null ? "the federation stopped" : cause.peer() + " " + cause.reason()));
    }
    return stop;
  }

  /** Whether enough peers (this one included) announced reaching the target for the federation to stop. */
  private boolean quorumReached() {
    return targetReachedBy.size() >= robust.quorum(peers.size());
  }

  private List<String> otherPeers() {
    List<String> others = new ArrayList<>(peers);
    others.remove(id);
    return others;
  }

  /**
   * r, every receiver's view of θ after the last share, with sign deltas; null before it, under DP and with any
   * other codec (see {@link PeerContext#publishedView}).
   */
  private float[] publishedView() {
    return dp == null && mixesPublishedViews ? encoder.publishedView() : null;
  }

  /** Encodes θ and sends it to {@code to}; returns the bytes sent, counted per receiver. */
  private long publish(int round, int sync, Set<String> to) {
    if (resyncRequested.getAndSet(false)) encoder.requestFullResync();
    float[] theta = network.copyParams();
    if (dp != null) {
      theta = dp.privatise(theta);
      if (dp.exhausted() && !budgetAnnounced) {
        budgetAnnounced = true;
        LOG.warn("Peer {} has spent ε = {} of its budget {} at δ = {} after {} releases: from round {} on it republishes its last noised parameters and reveals nothing new.",
            id, String.format("%.4f", dp.epsilon()), dpSettings.budget(), dpSettings.delta(), dp.releases(), round);
      }
    }
    EncodedSnapshot e;
    try {
      e = encoder.encode(theta, round);
    } catch (NonFiniteValueException ex) {
      throw new IllegalStateException("Peer " + id + " diverged: " + ex.getMessage() + " Lower the learning rate or λ.", ex);
    }
    PeerSnapshot snapshot = new PeerSnapshot(id, round, sync, sequence.incrementAndGet(), dataSize, e.bytes());
    decoding.onPublished(snapshot, to.size(), encoder::publishedView);
    transport.publish(snapshot, to);
    return (long) e.bytes().length * to.size();
  }

  // ---- PeerInbox: called on transport threads ----

  @Override
  public void onSnapshot(PeerSnapshot snapshot) {
    onSnapshot(SnapshotLoan.unpooled(snapshot));
  }

  /**
   * Decodes the snapshot into this peer's view of the sender (which copies it) and gives the payload back to the
   * transport, so the next snapshot from that sender is received into the same array. A ring state waits on loan
   * for the ring protocol's next turn.
   */
  @Override
  public void onSnapshot(SnapshotLoan loan) {
    PeerSnapshot snapshot = loan.snapshot();
    if (snapshot.kind() == PeerSnapshot.Kind.RING_STATE) {
      if (ring != null) {
        ring.offer(loan);
      } else {
        LOG.warn("Peer {} runs the parallel protocol but received the ring state {}; dropping it", id, snapshot);
        loan.release();
      }
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
      case STOP -> onStop(notice);
    }
  }

  /**
   * A neighbour announced that it reached the target accuracy. With the defences on, the notice is honoured only
   * if this peer's own policy has a target (so it could have produced the notice), and the federation stops only
   * once a quorum of peers announced it: one peer alone cannot halt everyone.
   */
  private void onStop(PeerNotice notice) {
    if (robust.enabled() && !peers.contains(notice.from())) return;
    if (ADMIN_STOP_REASON.equals(notice.reason())) {
      onAdminStop(notice);
      return;
    }
    if (robust.enabled() && Double.isNaN(earlyStopping.policy().targetAccuracy())) {
      suspicions.suspected(notice.from(), notice.round(), 0, "sent a STOP notice (" + notice.reason()
          + "), but the configured early-stop policy (" + earlyStopping.policy() + ") has no target accuracy; ignored");
      return;
    }
    targetReachedBy.add(notice.from());
    stops.add(new StopRecord(notice.from(), notice.round(), notice.reason()));
    if (!robust.enabled()) views.markStopped(notice.from());
    if (quorumReached()) {
      // Every peer that announced the target stops at the end of this round too: nobody waits for them.
      for (String p : targetReachedBy) if (!p.equals(id)) views.markStopped(p);
      federationStopping = true;
      views.wake();
    }
  }

  /**
   * A neighbour's admin stopped it ({@code POST /api/federation/stop}). It has left, so nobody waits for it any
   * more, and its notice is one vote to stop the whole federation, which stops once a quorum of admins voted (the
   * quorum of target stops). The notice's reason is all that marks it as an admin's, and any authenticated peer can
   * send it, so one vote must not be enough: with the defences on, no single member can halt the others. Without
   * them the quorum is one, and one notice stops everyone, as before.
   */
  private void onAdminStop(PeerNotice notice) {
    views.markStopped(notice.from());
    stops.add(new StopRecord(notice.from(), notice.round(), notice.reason()));
    adminStopBy.add(notice.from());
    int quorum = robust.quorum(peers.size());
    if (adminStopBy.size() < quorum) {
      LOG.info("Peer {}: the admin of {} stopped it and voted to stop the federation, {} of the {} votes needed; the others go on without it.",
          id, notice.from(), adminStopBy.size(), quorum);
      return;
    }
    if (robust.enabled()) stopCause = adminsStopped() + " (" + adminStopBy.size() + " of " + peers.size() + " peers' admins)";
    federationStopping = true;
    views.wake();
  }

  /** "the admin(s) of a, b stopped the federation", naming the admins that voted so far. */
  private String adminsStopped() {
    List<String> by = new ArrayList<>(new java.util.TreeSet<>(adminStopBy));
    return "the admin" + (by.size() == 1 ? "" : "s") + " of " + String.join(", ", by) + " stopped the federation";
  }

  /**
   * The peers whose admins stopped the federation, if that is why it stops (a quorum of them voted); empty if it
   * goes on or stops for another reason.
   */
  public List<String> stoppedByAdmins() {
    if (!federationStopping || adminStopBy.size() < robust.quorum(peers.size())) return List.of();
    return List.copyOf(new java.util.TreeSet<>(adminStopBy));
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
