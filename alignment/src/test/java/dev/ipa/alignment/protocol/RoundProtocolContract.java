package dev.ipa.alignment.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.penalty.Weighting;
import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.compression.CodecPolicy;
import dev.ipa.compression.CodecSpec;
import dev.ipa.compression.CorruptSnapshotException;
import dev.ipa.transport.LinkState;
import dev.ipa.transport.PeerInbox;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.SnapshotLoan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The round protocol's behaviour, independent of the transport underneath. Each transport (in-memory, Netty on
 * loopback) runs this same suite through a subclass, as Ratis runs its suites over every RPC.
 */
public abstract class RoundProtocolContract {
  /** Transports for the given peers, connected to each other; {@code absent} peers get none (never start). */
  protected abstract List<PeerTransport> transports(List<String> peers);

  /** Called once every peer has started; a transport may wait for its connections here. */
  protected void afterStart() throws InterruptedException {}

  /** Releases what {@link #transports} made. */
  protected void shutdown() {}

  static final Dataset DATA = syntheticData(600, 3);
  final List<FederatedPeer> running = new ArrayList<>();

  @AfterEach
  void closeAll() {
    running.forEach(FederatedPeer::close);
    running.clear();
    shutdown();
  }

  /** Three classes whose images differ in brightness of one quadrant: learnable in a few steps. */
  static Dataset syntheticData(int n, int classes) {
    SplittableRandom r = new SplittableRandom(42);
    byte[] px = new byte[n * 16];
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      int y = i % classes;
      labels[i] = (byte) y;
      for (int k = 0; k < 16; k++) px[i * 16 + k] = (byte) (r.nextInt(60) + (k / 4 == y ? 180 : 0));
    }
    return Dataset.of("synthetic", 4, 4, classes, px, labels);
  }

  static FederationSettings settings(Algorithm a, CodecPolicy codec, Duration timeout, EarlyStop stop) {
    return settings(a, new CommonSettings(3, 2, new Topology.FullMesh(), stop, timeout, codec, 1, Protocol.PARALLEL, 0), 0.5, Distance.L1, 0.0);
  }

  static FederationSettings settings(Algorithm a, CommonSettings common, double lambda, Distance distance, double mix) {
    return new FederationSettings(a, common, new IpaSettings(lambda, distance, Weighting.DATA_SIZE, true, 0.0, mix), new FedProxSettings(0.01));
  }

  /** IPA in the ring protocol: λ = 0.5, L1, one epoch per turn. */
  static FederationSettings ringSettings(int rounds, long seed) {
    return settings(Algorithm.IPA, new CommonSettings(rounds, 1, new Topology.FullMesh(), EarlyStop.NONE, Duration.ofSeconds(60),
        FederationSettings.fp32(), seed, Protocol.RING, 0), 0.5, Distance.L1, 0.0);
  }

  List<FederatedPeer> federation(List<String> ids, FederationSettings s, List<String> absent) {
    return federation(ids, s, absent, 1e-2, i -> 7);
  }

  /** A federation whose peer i starts from {@code Network.create(arch, initSeed(i))} and trains at {@code lr}. */
  List<FederatedPeer> federation(List<String> ids, FederationSettings s, List<String> absent, double lr, IntUnaryOperator initSeed) {
    return federation(ids, s, absent, lr, initSeed, (peer, t) -> t);
  }

  /** As above, with each peer's transport passed through {@code wrap} (peer id, transport) first. */
  List<FederatedPeer> federation(List<String> ids, FederationSettings s, List<String> absent, double lr, IntUnaryOperator initSeed,
      BiFunction<String, PeerTransport, PeerTransport> wrap) {
    List<String> present = new ArrayList<>(ids);
    present.removeAll(absent);
    List<PeerTransport> ts = new ArrayList<>(transports(present));
    for (int i = 0; i < ts.size(); i++) ts.set(i, wrap.apply(present.get(i), ts.get(i)));
    Architecture arch = new Architecture("mlp", 1, 4, 4, 3, List.of(8));
    List<FederatedPeer> peers = new ArrayList<>();
    for (int i = 0; i < present.size(); i++) {
      int[] train = new int[150];
      int[] val = new int[30];
      for (int k = 0; k < 150; k++) train[k] = i * 180 + k;
      for (int k = 0; k < 30; k++) val[k] = i * 180 + 150 + k;
      Network net = Network.create(arch, initSeed.applyAsInt(i));
      LocalTrainer t = new LocalTrainer(net, DATA, train, 25, lr, i);
      FederatedPeer p = new FederatedPeer(present.get(i), ids, s, net, t, DATA, val, 450, ts.get(i),
          SnapshotDecoding.privateDecoders(FederatedPeer.layoutOf(net)), null);
      peers.add(p);
      running.add(p);
    }
    peers.forEach(FederatedPeer::start);
    try {
      afterStart();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return peers;
  }

  /** Runs every peer's rounds on its own thread; returns each peer's records. */
  static List<List<RoundRecord>> runAll(List<FederatedPeer> peers, int rounds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(peers.size());
    try {
      List<Future<List<RoundRecord>>> fs = new ArrayList<>();
      for (FederatedPeer p : peers) {
        fs.add(pool.submit(() -> {
          List<RoundRecord> out = new ArrayList<>();
          for (int r = 0; r < rounds; r++) {
            RoundRecord rec = p.runRound(r);
            out.add(rec);
            if (rec.stop() != null) break;
          }
          return out;
        }));
      }
      List<List<RoundRecord>> all = new ArrayList<>();
      for (Future<List<RoundRecord>> f : fs) all.add(f.get());
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ipaPeersAlignToEachOthersSnapshotsOfTheSameRound() throws Exception {
    List<FederatedPeer> peers = federation(List.of("a", "b", "c"), settings(Algorithm.IPA, FederationSettings.fp32(), Duration.ofSeconds(30), EarlyStop.NONE), List.of());
    List<List<RoundRecord>> recs = runAll(peers, 3);
    for (int p = 0; p < 3; p++) {
      assertThat(recs.get(p)).hasSize(3);
      for (RoundRecord r : recs.get(p)) {
        assertThat(r.failures()).isEmpty();
        assertThat(r.snapshotsSent()).isEqualTo(2 * 2); // 2 neighbours × 2 syncs
        assertThat(r.bytesSent()).isGreaterThan(4L * peers.get(p).network().parameterCount() * 4);
      }
      List<PeerViews.View> views = peers.get(p).views().all();
      assertThat(views).hasSize(2);
      for (PeerViews.View v : views) {
        assertThat(v.round()).isEqualTo(2);
        assertThat(v.sync()).isEqualTo(1);
        assertThat(v.dataSize()).isEqualTo(150);
      }
    }
    // A snapshot is what the sender had when it published: b's view of a equals a's final parameters
    // (a does not train after its last exchange; IPA leaves θ unchanged at an exchange).
    float[] aNow = peers.get(0).network().copyParams();
    PeerViews.View bSeesA = peers.get(1).views().of(List.of("a")).get(0);
    assertThat(bSeesA.params()).containsExactly(aNow);
  }

  @Test
  void fedAvgLeavesEveryPeerWithTheSameAveragedModel() throws Exception {
    List<FederatedPeer> peers = federation(List.of("a", "b", "c"), settings(Algorithm.FEDAVG, FederationSettings.fp32(), Duration.ofSeconds(30), EarlyStop.NONE), List.of());
    runAll(peers, 2);
    float[] a = peers.get(0).network().copyParams();
    for (FederatedPeer p : peers) {
      float[] x = p.network().copyParams();
      for (int i = 0; i < a.length; i++) assertThat(x[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {1.0, 0.5})
  void theProximalStepMovesEachPeerToTheWeightedMeanOfItselfAndItsNeighbours(double mix) throws Exception {
    // A learning rate of 1e-30 (below every parameter's float resolution) and a different start per peer: training
    // leaves θ alone, so after round 1's proximal step
    // θ_a = (w·θ_a + mix·(1 − w)/2·(θ_b + θ_c)) / (w + mix·(1 − w)) with w = 1/3 (equal shards).
    FederationSettings s = settings(Algorithm.IPA, new CommonSettings(2, 1, new Topology.FullMesh(), EarlyStop.NONE, Duration.ofSeconds(30),
        FederationSettings.fp32(), 1, Protocol.PARALLEL, 0), 0.0, Distance.L2, mix);
    List<FederatedPeer> peers = federation(List.of("a", "b", "c"), s, List.of(), 1e-30, i -> 11 + i);
    float[][] start = peers.stream().map(p -> p.network().copyParams()).toArray(float[][]::new);
    runAll(peers, 2);
    double own = 1.0 / 3, other = mix * (2.0 / 3) / 2, total = own + 2 * other;
    for (int p = 0; p < 3; p++) {
      float[] x = peers.get(p).network().copyParams();
      for (int i = 0; i < x.length; i++) {
        double expected = (own * start[p][i] + other * (start[(p + 1) % 3][i] + start[(p + 2) % 3][i])) / total;
        assertThat((double) x[i]).as("mix=%s peer %d parameter %d", mix, p, i).isCloseTo(expected, within(1e-5));
      }
    }
  }

  @Test
  void localOnlySendsNothing() throws Exception {
    List<FederatedPeer> peers = federation(List.of("a", "b"), settings(Algorithm.LOCAL, FederationSettings.fp32(), Duration.ofSeconds(30), EarlyStop.NONE), List.of());
    List<List<RoundRecord>> recs = runAll(peers, 2);
    for (List<RoundRecord> rs : recs) for (RoundRecord r : rs) assertThat(r.bytesSent()).isZero();
    assertThat(peers.get(0).views().all()).isEmpty();
    assertThat(recs.get(0).get(1).validationAccuracy()).isGreaterThan(0.5);
  }

  @Test
  void aMissingPeerIsAFailureAndTheRoundGoesOn() throws Exception {
    List<FederatedPeer> peers = federation(List.of("a", "b", "c"), settings(Algorithm.IPA, FederationSettings.fp32(), Duration.ofMillis(300), EarlyStop.NONE), List.of("c"));
    List<List<RoundRecord>> recs = runAll(peers, 2);
    for (List<RoundRecord> rs : recs) {
      assertThat(rs).hasSize(2);
      for (RoundRecord r : rs) {
        assertThat(r.failures()).extracting(PeerFailure::peer).containsOnly("c");
        assertThat(r.failures()).hasSize(2); // one per exchange
      }
    }
    assertThat(peers.get(0).views().all()).extracting(PeerViews.View::peer).containsExactly("b");
  }

  @Test
  void compressedDeltasReconstructTheSendersViewExactly() throws Exception {
    CodecPolicy sign = new CodecPolicy(CodecSpec.SIGN, 64, CodecSpec.FP16, CodecSpec.NONE, 0);
    List<FederatedPeer> peers = federation(List.of("a", "b"), settings(Algorithm.IPA, sign, Duration.ofSeconds(30), EarlyStop.NONE), List.of());
    List<List<RoundRecord>> recs = runAll(peers, 3);
    float[] senderView = peers.get(0).encoder().receiversView();
    assertThat(peers.get(1).views().of(List.of("a")).get(0).params()).containsExactly(senderView);
    // After the first full snapshot only deltas go out: on this tiny model (163 parameters, mostly small
    // tensors sent as fp16, plus a 100-byte header) that is still well under half of fp32.
    long fp32 = 4L * peers.get(0).network().parameterCount();
    assertThat(recs.get(0).get(0).bytesSent()).isGreaterThan(fp32);
    assertThat(recs.get(0).get(2).bytesSent()).isLessThan(2 * fp32 / 2);
  }

  @Test
  void reachingTheTargetStopsTheFederationAndEveryPeerRecordsWhy() throws Exception {
    List<FederatedPeer> peers = federation(List.of("a", "b"), settings(Algorithm.IPA, FederationSettings.fp32(), Duration.ofSeconds(30), new EarlyStop(0.05, 0)), List.of());
    List<List<RoundRecord>> recs = runAll(peers, 3);
    for (int p = 0; p < 2; p++) {
      assertThat(recs.get(p).size()).isLessThanOrEqualTo(2);
      assertThat(recs.get(p).get(recs.get(p).size() - 1).stop()).isNotNull();
      assertThat(peers.get(p).stops()).anySatisfy(s -> assertThat(s.reason()).contains("target"));
    }
  }

  @Test
  void ringProtocolPassesThetaStarAroundAndEveryPeerTakesItsTurn() throws Exception {
    List<FederatedPeer> peers = federation(List.of("a", "b", "c"), ringSettings(2, 3), List.of());
    List<List<RoundRecord>> recs = runAll(peers, 2);
    int p = peers.get(0).network().parameterCount();
    long ringBytes = 12 + 4L * 3 + 4L * 3 * p + 4;
    assertThat(RingStateCodec.encodedSize(3, p)).isEqualTo(ringBytes);
    List<String> lastOrder = RingProtocol.order(List.of("a", "b", "c"), 1, 3);
    for (int i = 0; i < 3; i++) {
      for (RoundRecord r : recs.get(i)) {
        assertThat(r.failures()).isEmpty();
        boolean lastOfAll = r.round() == 1 && lastOrder.get(2).equals(peers.get(i).id());
        assertThat(r.bytesSent()).isEqualTo(lastOfAll ? 0 : ringBytes);
      }
      // Each turn continues from the parameters θ* brought back, so the training loss keeps falling.
      assertThat(recs.get(i).get(1).trainLoss()).isLessThan(recs.get(i).get(0).trainLoss());
    }
  }

  @Test
  void aPeerReleasesAPayloadOnceHandledButHoldsARingStateOnLoanUntilItsTurn() {
    List<FederatedPeer> peers = federation(List.of("a", "b"), ringSettings(2, 3), List.of());
    List<byte[]> givenBack = new CopyOnWriteArrayList<>();
    byte[] undecodable = new byte[64];
    peers.get(0).onSnapshot(SnapshotLoan.lent(new PeerSnapshot("b", 0, 0, 1, 150, undecodable), givenBack::add));
    assertThat(givenBack).as("a delta it cannot apply is still given back").singleElement().isSameAs(undecodable);

    byte[] ring = RingStateCodec.encode(new RingState(new float[][] {{1f}, {2f}}, new int[] {150, 150}));
    SnapshotLoan ringLoan = SnapshotLoan.lent(new PeerSnapshot("b", 0, 0, 2, 150, ring, PeerSnapshot.Kind.RING_STATE), givenBack::add);
    peers.get(0).onSnapshot(ringLoan);
    assertThat(givenBack).as("θ* waits for the round thread, on loan").hasSize(1);
    assertThat(ringLoan.snapshot().payload()).isSameAs(ring);
  }

  @Test
  void aPeerOfTheParallelProtocolGivesAStrayRingStateBackAtOnce() {
    List<FederatedPeer> peers = federation(List.of("a", "b"),
        settings(Algorithm.IPA, FederationSettings.fp32(), Duration.ofSeconds(30), EarlyStop.NONE), List.of());
    List<byte[]> givenBack = new CopyOnWriteArrayList<>();
    byte[] ring = RingStateCodec.encode(new RingState(new float[][] {{1f}, {2f}}, new int[] {150, 150}));
    peers.get(0).onSnapshot(SnapshotLoan.lent(new PeerSnapshot("b", 0, 0, 1, 150, ring, PeerSnapshot.Kind.RING_STATE), givenBack::add));
    assertThat(givenBack).as("nobody would ever take it off loan").singleElement().isSameAs(ring);
  }

  @Test
  void ringStateRoundTripsAndRejectsCorruption() {
    float[][] thetas = {{1f, 2f}, {3f, 4f}};
    byte[] b = RingStateCodec.encode(new RingState(thetas, new int[] {10, 20}));
    RingState decoded = RingStateCodec.decode(b, 2, 2);
    assertThat(decoded.params()).isDeepEqualTo(thetas);
    assertThat(decoded.sizes()).containsExactly(10, 20);
    byte[] flipped = b.clone();
    flipped[20] ^= 1;
    assertThatThrownBy(() -> RingStateCodec.decode(flipped, 2, 2)).isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("checksum");
    assertThatThrownBy(() -> RingStateCodec.decode(b, 3, 2)).isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("3 × 2");
    assertThatThrownBy(() -> RingStateCodec.decode(java.util.Arrays.copyOf(b, b.length - 4), 2, 2)).hasMessageContaining("truncated");
    byte[] wrongMagic = b.clone();
    wrongMagic[0] = 'X';
    assertThatThrownBy(() -> RingStateCodec.decode(wrongMagic, 2, 2)).hasMessageContaining("magic");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aCorruptRingStateIsAFailureAndTheReceiverContinuesFromItsOwnCopy(boolean corrupt) throws Exception {
    // One round of two peers that start from different parameters and cannot move them (learning rate 1e-30):
    // the second holder takes θ_i from θ*, where the first put its own θ for every copy. A θ* damaged in
    // transit must leave it with its own θ instead, and a failure in its record.
    List<String> ids = List.of("a", "b");
    String first = RingProtocol.order(ids, 0, 3).get(0);
    List<FederatedPeer> peers = federation(ids, ringSettings(1, 3), List.of(), 1e-30, i -> 11 + i,
        (peer, t) -> corrupt && peer.equals(first) ? new DamagingRingStates(t) : t);
    int sender = ids.indexOf(first);
    int receiver = 1 - sender;
    float[][] start = peers.stream().map(p -> p.network().copyParams()).toArray(float[][]::new);
    List<List<RoundRecord>> recs = runAll(peers, 1);
    assertThat(recs.get(sender).get(0).failures()).isEmpty();
    float[] after = peers.get(receiver).network().copyParams();
    if (corrupt) {
      assertThat(recs.get(receiver).get(0).failures()).singleElement().satisfies(f -> {
        assertThat(f.peer()).isEqualTo(first);
        assertThat(f.reason()).contains("checksum").contains("own last copy");
      });
      assertThat(maxDifference(after, start[receiver])).isLessThan(1e-6);
    } else {
      assertThat(recs.get(receiver).get(0).failures()).isEmpty();
      assertThat(maxDifference(after, start[sender])).isLessThan(1e-6);
    }
    assertThat(maxDifference(start[sender], start[receiver])).as("the two starts differ").isGreaterThan(0.01);
  }

  static double maxDifference(float[] x, float[] y) {
    double m = 0;
    for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
    return m;
  }

  /** A transport that flips one byte of every ring state it sends, as a bad link would. */
  static final class DamagingRingStates implements PeerTransport {
    private final PeerTransport inner;

    DamagingRingStates(PeerTransport inner) {
      this.inner = inner;
    }

    @Override
    public String localPeer() {
      return inner.localPeer();
    }

    @Override
    public void start(PeerInbox inbox) {
      inner.start(inbox);
    }

    @Override
    public void publish(PeerSnapshot s, Collection<String> to) {
      if (s.kind() == PeerSnapshot.Kind.RING_STATE) {
        byte[] damaged = s.payload().clone();
        damaged[20] ^= 1;
        s = new PeerSnapshot(s.peerId(), s.round(), s.sync(), s.sequence(), s.dataSize(), damaged, s.kind());
      }
      inner.publish(s, to);
    }

    @Override
    public void notify(PeerNotice notice, Collection<String> to) {
      inner.notify(notice, to);
    }

    @Override
    public Map<String, LinkState> links() {
      return inner.links();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @Test
  void withBoundedStalenessAPeerGoesOnWithASnapshotOneRoundOld() throws Exception {
    CommonSettings bounded = new CommonSettings(3, 2, new Topology.FullMesh(), EarlyStop.NONE, Duration.ofSeconds(5), FederationSettings.fp32(), 1, Protocol.PARALLEL, 1);
    List<FederatedPeer> peers = federation(List.of("a", "b"), settings(Algorithm.IPA, bounded, 0.5, Distance.L1, 0.0), List.of());
    // b runs round 0 only, then falls silent; a must not wait for b's round 1 (nor record it as a failure).
    java.util.concurrent.Future<RoundRecord> b0 = Executors.newSingleThreadExecutor().submit(() -> peers.get(1).runRound(0));
    RoundRecord a0 = peers.get(0).runRound(0);
    b0.get();
    RoundRecord a1 = peers.get(0).runRound(1);
    assertThat(a0.failures()).isEmpty();
    assertThat(a1.failures()).isEmpty();
    assertThat(a1.maxStaleness()).isEqualTo(1);
    assertThatThrownBy(() -> new CommonSettings(3, 2, new Topology.FullMesh(), EarlyStop.NONE, Duration.ofSeconds(5), FederationSettings.fp32(), 1, Protocol.PARALLEL, -1))
        .hasMessageContaining("≥ 0");
  }
}
