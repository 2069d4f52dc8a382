package dev.ipa.peer.config;

import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.transport.tls.FederationCertificates;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one peer daemon needs, validated once in the compact constructor (key prefix {@code ipa.peer.*};
 * see {@link PeerConfigFactory} for the file keys). Immutable.
 *
 * @param federation        federation id; must match the certificates and the other peers
 * @param id                this peer's id (= CN of its certificate)
 * @param listen            where the peer transport listens
 * @param tlsDir            directory holding this peer's peer.crt, peer.key and ca.crt
 * @param peers             the other peers with their addresses, in configuration order
 * @param data              {@code embedded} or a directory with the four IDX files
 * @param partition         shard selector: a partition spec ({@code disjoint}, {@code iid}, ...), or null to train on
 *                          the whole training set
 * @param shardIndex        which shard of the partition this peer takes, in {@code [0, peersInPartition)}
 * @param peersInPartition  how many shards the partition has (normally the federation size)
 * @param model             architecture spec, e.g. {@code mlp} or {@code mlp:100}
 * @param weights           weight mode spec, e.g. {@code float} or {@code binary}
 * @param batch             batch size ≥ 1
 * @param learningRate      Adam learning rate &gt; 0
 * @param settings          the round protocol's settings (rounds, codec, staleness bound, λ, μ, ...), validated by their own
 *                          records
 * @param checkpointDir     where checkpoints go
 * @param keepCheckpoints   how many checkpoints to keep, ≥ 2 so a corrupt newest one has a fallback
 * @param autoStart         start the federation at start-up rather than on {@code POST /api/federation/start}
 * @param adminUsername     admin API user
 * @param adminPassword     admin API password
 * @param transport         the {@code ipa.transport.*} limits and timers that were set; unset ones keep
 *                          {@code NettyTransportConfig}'s defaults, and {@code NettyTransportConfig} validates them
 * @param table             how to read {@code data} when it is a table ({@code ipa.peer.label}, {@code ipa.peer.ignore},
 *                          {@code ipa.peer.test-fraction}, {@code ipa.peer.schema}); ignored for IDX data
 */
public record PeerConfig(
    String federation,
    String id,
    InetSocketAddress listen,
    Path tlsDir,
    Map<String, InetSocketAddress> peers,
    String data,
    String partition,
    int shardIndex,
    int peersInPartition,
    String model,
    String weights,
    int batch,
    double learningRate,
    FederationSettings settings,
    Path checkpointDir,
    int keepCheckpoints,
    boolean autoStart,
    String adminUsername,
    String adminPassword,
    ConfigurationFiles.TransportProperties transport,
    TableKeys table) {

  /**
   * The table keys of a daemon whose {@code ipa.peer.data} is a CSV/TSV table.
   *
   * @param label        the label column, or null for the last column
   * @param ignore       columns to drop
   * @param testFraction share of a single file held out for testing, in (0, 1)
   * @param schema       a schema file pinning the preprocessing (the same on every peer), or null to run the
   *                     federated-statistics exchange before round 0
   */
  public record TableKeys(String label, List<String> ignore, double testFraction, Path schema) {
    /** No label given (the last column), nothing ignored, a 0.2 test split, no schema file. */
    public static final TableKeys DEFAULTS = new TableKeys(null, List.of(), 0.2, null);

    public TableKeys {
      ignore = List.copyOf(ignore);
      if (!(testFraction > 0 && testFraction < 1)) {
        throw new IllegalArgumentException("ipa.peer.test-fraction must lie strictly between 0 and 1, got " + testFraction + ".");
      }
    }
  }

  /** The value of every daemon key that has a default; the federation's defaults are {@code FederationSettings.defaults()}. */
  public record Defaults(String federation, int shardIndex, int peersInPartition, String model, String weights, int batch,
      double learningRate, int keepCheckpoints, boolean autoStart) {}

  /** The shortest admin password the daemon accepts (NIST SP 800-63B's minimum for memorised secrets). */
  public static final int MIN_PASSWORD_LENGTH = 8;

  /** The daemon's defaults, in one place. */
  public static final Defaults DEFAULTS = new Defaults("ipa", 0, 0, LocalTrainer.DEFAULT_MODEL, LocalTrainer.DEFAULT_WEIGHTS,
      LocalTrainer.DEFAULT_BATCH, LocalTrainer.DEFAULT_LEARNING_RATE, 2, true);

  public PeerConfig {
    if (federation == null || federation.isBlank()) throw new IllegalArgumentException("ipa.peer.federation must name the federation.");
    if (id == null || id.isBlank()) throw new IllegalArgumentException("ipa.peer.id is missing; set it to this peer's id (the CN of its certificate).");
    FederationCertificates.requireValidPeerId(id);
    Objects.requireNonNull(listen, "ipa.peer.listen");
    if (tlsDir == null) throw new IllegalArgumentException("ipa.peer.tls-dir is missing; point it at this peer's directory from ./ipa certs.");
    peers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(peers, "peers")));
    if (peers.containsKey(id)) throw new IllegalArgumentException("ipa.peer.peers lists this peer '" + id + "' itself; list only the other peers.");
    if (data == null || data.isBlank()) {
      throw new IllegalArgumentException("ipa.peer.data is missing; set it to a CSV table (e.g. /data/records.csv), a directory holding the Fashion-MNIST IDX files, or 'embedded'.");
    }
    if (partition != null) {
      if (peersInPartition < 1) throw new IllegalArgumentException("ipa.peer.peers-in-partition must be ≥ 1 when a partition is set, got " + peersInPartition + ".");
      if (shardIndex < 0 || shardIndex >= peersInPartition) {
        throw new IllegalArgumentException("ipa.peer.shard-index must be in [0, " + peersInPartition + "), got " + shardIndex + ".");
      }
    }
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(weights, "weights");
    if (batch < 1) throw new IllegalArgumentException("ipa.peer.batch must be ≥ 1, got " + batch + ".");
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("ipa.peer.learning-rate must be a positive number, got " + learningRate + ".");
    }
    Objects.requireNonNull(settings, "settings");
    if (table == null) table = TableKeys.DEFAULTS;
    if (transport == null) transport = new ConfigurationFiles.TransportProperties(null, null, null, null, null, null, null, null, null, null);
    if (checkpointDir == null) throw new IllegalArgumentException("ipa.peer.checkpoint-dir is missing; set a directory the peer may write.");
    if (keepCheckpoints < 2) throw new IllegalArgumentException("ipa.peer.keep-checkpoints must be ≥ 2 so a damaged newest checkpoint has a fallback, got " + keepCheckpoints + ".");
    if (adminUsername == null || adminUsername.isBlank() || adminPassword == null || adminPassword.isEmpty()) {
      throw new IllegalArgumentException("ipa.admin.username and ipa.admin.password must both be set; the admin API never runs open.");
    }
    if (adminPassword.length() < MIN_PASSWORD_LENGTH) {
      throw new IllegalArgumentException("ipa.admin.password has " + adminPassword.length()
          + (adminPassword.length() == 1 ? " character" : " characters") + "; use at least "
          + MIN_PASSWORD_LENGTH + " (for example from 'openssl rand -hex 12'), since the admin API can stop the federation.");
    }
  }

  /** Every peer of the federation (this one included), sorted, as the round protocol wants a shared order. */
  public List<String> federationMembers() {
    List<String> all = new java.util.ArrayList<>(peers.keySet());
    all.add(id);
    Collections.sort(all);
    return List.copyOf(all);
  }

  /**
   * Parses a peer list of {@code id=host:port} entries, rejecting a peer listed twice.
   *
   * @throws IllegalArgumentException with one sentence naming the bad entry
   */
  public static Map<String, InetSocketAddress> parsePeers(List<String> entries) {
    Map<String, InetSocketAddress> out = new LinkedHashMap<>();
    for (String e : entries) {
      String entry = e.trim();
      if (entry.isEmpty()) continue;
      int eq = entry.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("Bad entry '" + entry + "' in ipa.peer.peers; write id=host:port, e.g. b=127.0.0.1:7002.");
      String peer = entry.substring(0, eq).trim();
      InetSocketAddress address = parseAddress(entry.substring(eq + 1).trim(), "ipa.peer.peers entry for '" + peer + "'");
      if (out.put(peer, address) != null) throw new IllegalArgumentException("Peer '" + peer + "' is listed twice in ipa.peer.peers; list each peer once.");
    }
    return out;
  }

  /** Parses {@code host:port}; {@code what} names the setting in the error. */
  public static InetSocketAddress parseAddress(String text, String what) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) throw new IllegalArgumentException("The " + what + " '" + text + "' is not host:port.");
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 0 || port > 65535) throw new NumberFormatException();
      return new InetSocketAddress(host, port);
    } catch (NumberFormatException ex) {
      throw new IllegalArgumentException("The " + what + " '" + text + "' has no valid port (0-65535).");
    }
  }
}
