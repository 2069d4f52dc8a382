package dev.ipa.alignment.protocol;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.model.WeightTransform;
import dev.ipa.alignment.partition.Shard;
import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.compression.TensorLayout;
import dev.ipa.transport.ModelFingerprint;
import dev.ipa.transport.PeerTransport;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Assembles one peer of a federation, the same way for a daemon ({@code PeerNode}) and for every peer of a
 * simulation: the model from the federation's seed (every peer starts from the same weights, as FedAvg needs),
 * the trainer on the peer's shard with the peer's own shuffling seed ({@link #shuffleSeed}), then the
 * {@link FederatedPeer} over a transport.
 *
 * <p>Use: {@code new PeerBuilder(id, members, settings).model(arch, transforms)} → read {@link #network()} and
 * {@link #fingerprint()} to set up a transport and a decoding → {@code .training(data, shard, batch, lr)} →
 * {@code .build(transport, decoding, totalDataSize, compute)}. A builder builds one peer; it is not thread-safe.
 */
public final class PeerBuilder {
  private final String id;
  private final List<String> members;
  private final FederationSettings settings;
  private Architecture architecture;
  private Network network;
  private LocalTrainer trainer;
  private Dataset data;
  private String schemaHash;
  private Shard shard;
  private java.util.Map<String, Integer> dataSizes = java.util.Map.of();
  private java.util.Random dpNoise;
  private dev.ipa.alignment.train.ClassWeighting classWeighting = dev.ipa.alignment.train.ClassWeighting.NONE;

  /**
   * @param id       this peer, one of {@code members}
   * @param members  every peer of the federation, in the order all of them share
   * @param settings what the federation agreed on
   */
  public PeerBuilder(String id, List<String> members, FederationSettings settings) {
    this.id = Objects.requireNonNull(id, "id");
    this.members = List.copyOf(members);
    this.settings = Objects.requireNonNull(settings, "settings");
    if (!this.members.contains(id)) throw new IllegalArgumentException("Peer '" + id + "' is not in the federation's peer list " + members + ".");
  }

  /**
   * The shuffling seed of the peer at {@code index} of the member list: each peer draws its own batches, and the
   * same (seed, position) always draws the same ones, so a run repeats bit for bit.
   */
  public static long shuffleSeed(long federationSeed, int index) {
    return federationSeed * 7919 + index;
  }

  /** Creates the model: {@code architecture} initialised from the federation's seed, with per-layer weight transforms. */
  public PeerBuilder model(Architecture architecture, Function<Integer, WeightTransform> transforms) {
    this.architecture = Objects.requireNonNull(architecture, "architecture");
    this.network = Network.create(architecture, settings.common().seed(), transforms);
    return this;
  }

  /** The model {@link #model} created, for the caller's transport set-up and reports. */
  public Network network() {
    if (network == null) throw new IllegalStateException("Call model(...) before network().");
    return network;
  }

  /** What the handshake announces: two peers exchange snapshots only if these are equal. */
  public ModelFingerprint fingerprint() {
    String schema = schemaHash == null ? "" : " schema " + schemaHash.substring(0, Math.min(16, schemaHash.length()));
    return new ModelFingerprint(architecture.describe() + schema, network().parameterCount());
  }

  /**
   * The hash of the table schema this peer's inputs are encoded with ({@code TableSchema.hash()}); it enters the
   * fingerprint, so peers whose inputs mean different things are refused at the handshake. Not set for images.
   */
  public PeerBuilder schemaHash(String hash) {
    this.schemaHash = Objects.requireNonNull(hash, "hash");
    return this;
  }

  /** The compression layout of the model's flat parameter vector (for a {@link SnapshotDecoding}). */
  public TensorLayout layout() {
    return FederatedPeer.layoutOf(network());
  }

  /** Trains on {@code shard} of {@code data} (its training indices; its validation indices validate). */
  public PeerBuilder training(Dataset data, Shard shard, int batch, double learningRate) {
    this.data = Objects.requireNonNull(data, "data");
    this.shard = Objects.requireNonNull(shard, "shard");
    this.trainer = new LocalTrainer(network(), data, shard.train(), batch, learningRate,
        shuffleSeed(settings.common().seed(), members.indexOf(id)));
    return this;
  }

  /**
   * The federation's training-set sizes fixed at provisioning, by peer id: neighbours' snapshots are weighted with
   * these, whatever their headers claim (see {@link DataSizeClaims}). Without them claims are capped.
   */
  public PeerBuilder dataSizes(java.util.Map<String, Integer> sizes) {
    this.dataSizes = java.util.Map.copyOf(sizes);
    return this;
  }

  /** How the peer's training loss weights its classes (from its own training rows); default unweighted. */
  public PeerBuilder classWeighting(dev.ipa.alignment.train.ClassWeighting weighting) {
    this.classWeighting = Objects.requireNonNull(weighting, "weighting");
    return this;
  }

  /** The differential-privacy noise source; default a {@link java.security.SecureRandom}. Seed it only in simulations. */
  public PeerBuilder dpNoise(java.util.Random noise) {
    this.dpNoise = Objects.requireNonNull(noise, "noise");
    return this;
  }

  /**
   * The peer, not yet started.
   *
   * @param totalDataSize Σ|D| over the federation (for data-size weights)
   * @param compute       optional permit pool limiting concurrent training in a simulation (null = none)
   */
  public FederatedPeer build(PeerTransport transport, SnapshotDecoding decoding, long totalDataSize, Semaphore compute) {
    if (trainer == null) throw new IllegalStateException("Call training(...) before build(...).");
    network.setClassWeights(classWeighting.weights(data, shard.train()));
    return new FederatedPeer(id, members, settings, network, trainer, data, shard.validation(), totalDataSize,
        Objects.requireNonNull(transport, "transport"), Objects.requireNonNull(decoding, "decoding"), compute,
        dataSizes, dpNoise != null ? dpNoise : new java.security.SecureRandom());
  }
}
