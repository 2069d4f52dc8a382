package dev.ipa.transport.netty;

import dev.ipa.transport.ModelFingerprint;
import dev.ipa.transport.tls.FederationCertificates;
import dev.ipa.transport.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a {@link NettyTransport} needs, validated once (key prefix {@code ipa.transport.*} in files).
 *
 * @param federation          federation id; peers of another federation are rejected in the handshake
 * @param peerId              the local peer id; must equal the CN of the local certificate
 * @param listen              where to accept connections (port 0 picks a free port)
 * @param peers               every peer this one talks to, with its address; the only ids accepted in a handshake.
 *                            An entry for {@code peerId} itself is ignored, so one map can serve a whole federation
 * @param tls                 this peer's certificate, key and CA; null exactly when {@code insecure}
 * @param insecure            plaintext TCP without authentication, for local experiments only (logs a WARN)
 * @param fingerprint         the local model; a peer with a different one is rejected
 * @param codecs              snapshot codecs this peer can decode; a peer sharing none is rejected
 * @param maxFrameBytes       largest frame accepted, length prefix excluded; larger frames close the connection
 * @param chunkBytes          payload bytes per snapshot chunk; must leave room for framing within maxFrameBytes
 * @param maxSnapshotBytes    largest snapshot payload accepted; a header announcing more closes the connection
 * @param maxQueuedSnapshots  snapshots waiting per receiver behind the one being sent; beyond it the oldest is dropped
 * @param maxSpareBytes       largest payload array a link keeps between snapshots, once the inbox released it, to
 *                            receive the next snapshot of the same size into (one per link); 0 never keeps one
 * @param progressTimeout     a transfer fails if no chunk arrives (receiver) or none can be written (sender) this long
 * @param heartbeatInterval   a heartbeat goes out after this long without writing
 * @param deadAfter           a link with nothing read for this long is closed as dead
 * @param reconnectBase       first reconnect delay; doubles per failed attempt, with jitter
 * @param reconnectMax        cap of the reconnect delay
 * @param settings            the federation settings every peer must share, as key → value in one canonical
 *                            spelling (the daemon's configuration keys); sent in the Hello, and a peer whose list
 *                            differs is rejected with the first differing key. Empty: nothing is compared
 */
public record NettyTransportConfig(
    String federation,
    String peerId,
    InetSocketAddress listen,
    Map<String, InetSocketAddress> peers,
    TlsFiles tls,
    boolean insecure,
    ModelFingerprint fingerprint,
    List<String> codecs,
    int maxFrameBytes,
    int chunkBytes,
    long maxSnapshotBytes,
    int maxQueuedSnapshots,
    long maxSpareBytes,
    Duration progressTimeout,
    Duration heartbeatInterval,
    Duration deadAfter,
    Duration reconnectBase,
    Duration reconnectMax,
    SortedMap<String, String> settings) {

  public static final int DEFAULT_MAX_FRAME_BYTES = 4 << 20;
  public static final int DEFAULT_CHUNK_BYTES = 1 << 20;
  public static final long DEFAULT_MAX_SNAPSHOT_BYTES = 1L << 30;
  /** Bytes a chunk frame adds around its data: oneof tag, message length, index, data tag and length. */
  static final int CHUNK_OVERHEAD = 32;
  /** Java arrays hold at most this many bytes, and a snapshot is handed over as one array. */
  static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

  public NettyTransportConfig {
    Objects.requireNonNull(federation, "federation");
    if (federation.isBlank()) throw new IllegalArgumentException("The federation id must not be blank.");
    FederationCertificates.requireValidPeerId(peerId);
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(peers, "peers");
    TreeMap<String, InetSocketAddress> others = new TreeMap<>();
    peers.forEach((id, address) -> {
      FederationCertificates.requireValidPeerId(id);
      if (address == null) throw new IllegalArgumentException("Peer '" + id + "' has no address.");
      if (!id.equals(peerId)) others.put(id, address);
    });
    peers = java.util.Collections.unmodifiableMap(others);
    if (insecure && tls != null) {
      throw new IllegalArgumentException("TLS files were given but insecure is set; drop one of them.");
    }
    if (!insecure && tls == null) {
      throw new IllegalArgumentException("Peer '" + peerId + "' has no TLS files; generate them with ./ipa certs, or set insecure for a local experiment.");
    }
    Objects.requireNonNull(fingerprint, "fingerprint");
    codecs = List.copyOf(Objects.requireNonNull(codecs, "codecs"));
    if (codecs.isEmpty()) throw new IllegalArgumentException("A peer must support at least one snapshot codec.");
    if (maxFrameBytes < 1024) {
      throw new IllegalArgumentException("The maximum frame size must be at least 1024 bytes, got " + maxFrameBytes + ".");
    }
    if (chunkBytes < 1 || chunkBytes > maxFrameBytes - CHUNK_OVERHEAD) {
      throw new IllegalArgumentException("The chunk size must be between 1 and the maximum frame size minus "
          + CHUNK_OVERHEAD + " (" + (maxFrameBytes - CHUNK_OVERHEAD) + "), got " + chunkBytes + ".");
    }
    if (maxSnapshotBytes < 0 || maxSnapshotBytes > MAX_ARRAY_BYTES) {
      throw new IllegalArgumentException("The maximum snapshot size must be between 0 and " + MAX_ARRAY_BYTES
          + " bytes (one Java array), got " + maxSnapshotBytes + ".");
    }
    if (maxQueuedSnapshots < 1) {
      throw new IllegalArgumentException("At least one snapshot must be allowed to queue per receiver, got " + maxQueuedSnapshots + ".");
    }
    if (maxSpareBytes < 0 || maxSpareBytes > MAX_ARRAY_BYTES) {
      throw new IllegalArgumentException("The largest spare receive array must be between 0 (no reuse) and "
          + MAX_ARRAY_BYTES + " bytes, got " + maxSpareBytes + ".");
    }
    requirePositive(progressTimeout, "progress timeout");
    requirePositive(heartbeatInterval, "heartbeat interval");
    requirePositive(deadAfter, "dead-after timeout");
    requirePositive(reconnectBase, "base reconnect delay");
    requirePositive(reconnectMax, "maximum reconnect delay");
    if (deadAfter.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException("The dead-after timeout (" + deadAfter
          + ") must be longer than the heartbeat interval (" + heartbeatInterval + "), or every link would look dead.");
    }
    settings = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(settings, "settings")));
    settings.forEach((key, value) -> {
      if (key.isBlank() || value == null) throw new IllegalArgumentException("Federation setting '" + key + "' needs a name and a value.");
    });
    if (reconnectMax.compareTo(reconnectBase) < 0) {
      throw new IllegalArgumentException("The maximum reconnect delay (" + reconnectMax
          + ") must not be shorter than the base delay (" + reconnectBase + ").");
    }
  }

  /** Room for a snapshot's header, tensor table and checksum, and a ring state's sizes, above its values. */
  static final long LAYOUT_HEADROOM = 64 << 10;

  /**
   * The largest payload a peer running this model can legitimately send, from the fingerprint's parameter count
   * P rather than a fixed 1 GiB: at most 8 bytes per value (fp32 is 4; a top-k entry is an index and a value) plus
   * headroom, and for a ring state (θ* with one copy per peer) that per peer of the federation. A header above it
   * is refused before anything is allocated, so a hostile peer cannot make this one allocate or hold more than a
   * real snapshot needs. Never above {@link #maxSnapshotBytes}.
   */
  public long payloadLimit(boolean ringState) {
    long perModel = 8L * fingerprint.parameterCount() + LAYOUT_HEADROOM;
    long copies = ringState ? peers.size() + 2L : 1L;
    long bound = perModel > MAX_ARRAY_BYTES / copies ? MAX_ARRAY_BYTES : perModel * copies;
    return Math.min(maxSnapshotBytes, bound);
  }

  private static void requirePositive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("The " + what + " must be positive, got " + d + ".");
  }

  /** A mutual-TLS configuration with default limits and timeouts. */
  public static NettyTransportConfig secure(String federation, String peerId, InetSocketAddress listen,
      Map<String, InetSocketAddress> peers, TlsFiles tls, ModelFingerprint fingerprint) {
    return new NettyTransportConfig(federation, peerId, listen, peers, Objects.requireNonNull(tls, "tls"), false,
        fingerprint, List.of("raw"), DEFAULT_MAX_FRAME_BYTES, DEFAULT_CHUNK_BYTES, DEFAULT_MAX_SNAPSHOT_BYTES, 4,
        DEFAULT_MAX_SNAPSHOT_BYTES,
        Duration.ofSeconds(30), Duration.ofSeconds(3), Duration.ofSeconds(15), Duration.ofMillis(200),
        Duration.ofSeconds(10), new TreeMap<>());
  }

  /** A plaintext configuration with default limits and timeouts: no authentication, local experiments only. */
  public static NettyTransportConfig insecure(String federation, String peerId, InetSocketAddress listen,
      Map<String, InetSocketAddress> peers, ModelFingerprint fingerprint) {
    return new NettyTransportConfig(federation, peerId, listen, peers, null, true,
        fingerprint, List.of("raw"), DEFAULT_MAX_FRAME_BYTES, DEFAULT_CHUNK_BYTES, DEFAULT_MAX_SNAPSHOT_BYTES, 4,
        DEFAULT_MAX_SNAPSHOT_BYTES,
        Duration.ofSeconds(30), Duration.ofSeconds(3), Duration.ofSeconds(15), Duration.ofMillis(200),
        Duration.ofSeconds(10), new TreeMap<>());
  }

  public NettyTransportConfig withCodecs(List<String> codecs) {
    return new NettyTransportConfig(federation, peerId, listen, peers, tls, insecure, fingerprint, codecs,
        maxFrameBytes, chunkBytes, maxSnapshotBytes, maxQueuedSnapshots, maxSpareBytes, progressTimeout,
        heartbeatInterval, deadAfter, reconnectBase, reconnectMax, settings);
  }

  /** The same configuration with other size limits; {@code maxSpareBytes} 0 turns reuse of receive arrays off. */
  public NettyTransportConfig withLimits(int maxFrameBytes, int chunkBytes, long maxSnapshotBytes, int maxQueuedSnapshots,
      long maxSpareBytes) {
    return new NettyTransportConfig(federation, peerId, listen, peers, tls, insecure, fingerprint, codecs,
        maxFrameBytes, chunkBytes, maxSnapshotBytes, maxQueuedSnapshots, maxSpareBytes, progressTimeout,
        heartbeatInterval, deadAfter, reconnectBase, reconnectMax, settings);
  }

  public NettyTransportConfig withTimeouts(Duration progressTimeout, Duration heartbeatInterval, Duration deadAfter,
      Duration reconnectBase, Duration reconnectMax) {
    return new NettyTransportConfig(federation, peerId, listen, peers, tls, insecure, fingerprint, codecs,
        maxFrameBytes, chunkBytes, maxSnapshotBytes, maxQueuedSnapshots, maxSpareBytes, progressTimeout,
        heartbeatInterval, deadAfter, reconnectBase, reconnectMax, settings);
  }

  /** The same configuration comparing these federation settings in the handshake (see the {@code settings} component). */
  public NettyTransportConfig withSettings(Map<String, String> settings) {
    return new NettyTransportConfig(federation, peerId, listen, peers, tls, insecure, fingerprint, codecs,
        maxFrameBytes, chunkBytes, maxSnapshotBytes, maxQueuedSnapshots, maxSpareBytes, progressTimeout,
        heartbeatInterval, deadAfter, reconnectBase, reconnectMax, new TreeMap<>(settings));
  }

  public NettyTransportConfig withFingerprint(ModelFingerprint fingerprint) {
    return new NettyTransportConfig(federation, peerId, listen, peers, tls, insecure, fingerprint, codecs,
        maxFrameBytes, chunkBytes, maxSnapshotBytes, maxQueuedSnapshots, maxSpareBytes, progressTimeout,
        heartbeatInterval, deadAfter, reconnectBase, reconnectMax, settings);
  }
}
