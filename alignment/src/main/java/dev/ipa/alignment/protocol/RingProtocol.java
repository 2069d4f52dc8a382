package dev.ipa.alignment.protocol;

import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.train.GradientPenalty;
import dev.ipa.compression.CorruptSnapshotException;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.SnapshotLoan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The ring protocol, the IPA paper's Algorithm 1: θ*, every peer's parameters ({@link RingState}), travels
 * around the peers in an order reshuffled each round; its holder trains one local epoch and passes it on. θ*
 * travels as a {@link PeerSnapshot} of kind {@link PeerSnapshot.Kind#RING_STATE}, encoded by
 * {@link RingStateCodec}.
 *
 * <p>One turn ({@link #takeTurn}): wait for θ* from the predecessor in this round's order (the first peer of
 * round 0 starts from its own copies), take θ_i from it, train one local epoch with the strategy's
 * {@link FederationStrategy.RingTurn#turnPenalty} (IPA: the alignment term towards the copies θ_j, which the same
 * steps pull towards θ_i), then pass θ* on. A predecessor that does not deliver in time, or whose θ* does not
 * decode (wrong magic, size, peer count or checksum), is a {@link PeerFailure}: the peer continues from its own
 * last copy of θ*.
 *
 * <p>Lifecycle: built by {@link FederatedPeer} when the ring protocol is configured, the strategy is a
 * {@link FederationStrategy.RingTurn} and the federation has more than one peer. {@link #offer} is called from
 * transport threads; {@link #takeTurn} from the peer's round thread, for rounds in order.
 */
public final class RingProtocol {
  private final String id;
  private final List<String> peers;
  private final CommonSettings settings;
  private final PeerContext peer;
  private final FederationStrategy.RingTurn turn;
  private final PeerTransport transport;
  private final LongSupplier sequence;
  // Ring states wait here for the round thread, still on loan: it releases each once decoded or skipped.
  private final BlockingQueue<SnapshotLoan> inbox = new LinkedBlockingQueue<>();
  private RingState state; // this peer's copy of θ*, between turns

  /** What one turn did, for the round's record. */
  record Turn(double loss, long bytesSent, int snapshotsSent, List<PeerFailure> failures) {}

  RingProtocol(PeerContext peer, CommonSettings settings, FederationStrategy.RingTurn turn, PeerTransport transport, LongSupplier sequence) {
    this.id = peer.id();
    this.peers = peer.peers();
    this.settings = settings;
    this.peer = peer;
    this.turn = turn;
    this.transport = transport;
    this.sequence = sequence;
  }

  /** This round's ring order: the peer list, reshuffled from (seed, round) so no peer always goes first. */
  public static List<String> order(List<String> peers, int round, long seed) {
    List<String> order = new ArrayList<>(peers);
    Collections.shuffle(order, new Random(seed * 1_000_033L + round));
    return order;
  }

  /** Takes a received θ* on loan until the round thread's turn; called on transport threads. */
  void offer(SnapshotLoan loan) {
    inbox.add(loan);
  }

  /** Runs this peer's turn of round {@code round}; a frozen peer passes θ* on without training. */
  Turn takeTurn(int round, boolean frozen) throws InterruptedException {
    List<String> order = order(peers, round, settings.seed());
    int pos = order.indexOf(id);
    int me = peers.indexOf(id);
    int n = peers.size();
    Network network = peer.network();
    List<PeerFailure> failures = new ArrayList<>();
    if (state == null) state = RingState.startingFrom(network.copyParams(), n);
    boolean starter = round == 0 && pos == 0;
    if (!starter) {
      String from = pos > 0 ? order.get(pos - 1) : order(peers, round - 1, settings.seed()).get(n - 1);
      receive(round, pos > 0 ? round : round - 1, from, failures);
    }
    float[][] copies = state.params();
    network.setParams(copies[me]);
    state.sizes()[me] = peer.dataSize();
    double loss = 0;
    if (!frozen) loss = peer.train(peer.trainer().stepsPerEpoch(), penalty(me));
    copies[me] = network.copyParams();
    String next = pos < n - 1 ? order.get(pos + 1) : (round + 1 < settings.rounds() ? order(peers, round + 1, settings.seed()).get(0) : null);
    if (next == null || next.equals(id)) return new Turn(loss, 0, 0, failures);
    byte[] payload = RingStateCodec.encode(state);
    transport.publish(new PeerSnapshot(id, round, 0, sequence.getAsLong(), peer.dataSize(), payload, PeerSnapshot.Kind.RING_STATE), List.of(next));
    return new Turn(loss, payload.length, 1, failures);
  }

  /** Replaces {@link #state} by the θ* of {@code expectedRound} or later, or records why it cannot. */
  private void receive(int round, int expectedRound, String from, List<PeerFailure> failures) throws InterruptedException {
    Duration timeout = settings.exchangeTimeout();
    SnapshotLoan s = await(expectedRound, timeout);
    if (s == null) {
      failures.add(new PeerFailure(from, round, 0, "θ* did not arrive within " + timeout.toSeconds() + " s"));
      return;
    }
    try {
      state = RingStateCodec.decode(s.snapshot().payload(), peers.size(), peer.network().parameterCount());
    } catch (CorruptSnapshotException e) {
      failures.add(new PeerFailure(s.snapshot().peerId(), round, 0, "θ* could not be read (" + e.getMessage() + "); continuing from this peer's own last copy"));
    } finally {
      s.release();
    }
  }

  /** The turn's penalty towards every other peer's copy, with the sizes θ* carries. */
  private GradientPenalty penalty(int me) {
    int n = peers.size();
    float[][] copies = state.params();
    int[] sizes = state.sizes();
    float[][] others = new float[n - 1][];
    int[] otherSizes = new int[n - 1];
    for (int j = 0, k = 0; j < n; j++) {
      if (j == me) continue;
      others[k] = copies[j];
      // A peer that has not held θ* yet has announced no size; count it like this peer until it has.
      otherSizes[k] = sizes[j] > 0 ? sizes[j] : peer.dataSize();
      k++;
    }
    return turn.turnPenalty(others, otherSizes);
  }

  /** The next ring state of {@code expectedRound} or later, still on loan; older ones are released unread. */
  private SnapshotLoan await(int expectedRound, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      SnapshotLoan s = inbox.poll(left, TimeUnit.NANOSECONDS);
      if (s == null) return null;
      if (s.snapshot().round() >= expectedRound) return s;
      s.release();
    }
  }
}
