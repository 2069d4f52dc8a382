package dev.ipa.peer.config;

import dev.ipa.transport.tls.FederationCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A peer's identity in an N-peer federation run as one Kubernetes StatefulSet (the {@code ipa-federation} Helm
 * chart), derived from the pod's ordinal alone: pod {@code NAME-k} is peer {@code peer-k}, trains on shard k of N
 * of the federation's partition (the same {@code PartitionPlan} as {@code ipa simulate}, so the two compare), and
 * reaches peer j at {@code NAME-j.DOMAIN:PORT}, the stable name the headless Service gives pod j.
 *
 * <p>{@link #main} is what the image's entrypoint runs before the daemon when {@code IPA_FEDERATION_SIZE} is set: it
 * reads the pod's host name and the {@code IPA_FEDERATION_*} variables, signs this peer's certificate with the
 * federation CA if one is mounted ({@code IPA_FEDERATION_CA_DIR}; the key is made in the pod and never leaves
 * it), and prints the daemon's {@code -key=value} arguments, one per line. Bad input ends with one sentence and
 * exit code 2. A container test passes the same variables and host name, so it runs exactly what a pod runs.
 *
 * @param peerId     this peer, {@code peer-<ordinal>}
 * @param ordinal    the pod's ordinal, 0 ≤ ordinal &lt; size
 * @param size       N, the federation's number of peers (the StatefulSet's replicas)
 * @param neighbours every other peer's id → {@code host:port}, in ordinal order
 */
public record OrdinalIdentity(String peerId, int ordinal, int size, Map<String, String> neighbours) {
  /** The prefix of every peer id: pod k is peer {@code peer-k}. */
  public static final String PEER_PREFIX = "peer-";

  public OrdinalIdentity {
    neighbours = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(neighbours));
  }

  /**
   * @param hostName the pod's host name, {@code NAME-<ordinal>} (a StatefulSet names its pods so)
   * @param size     N
   * @param domain   what follows {@code NAME-j} in a neighbour's address (the headless Service, e.g.
   *                 {@code ipa-fed-headless}, or {@code svc.ns.svc.cluster.local}); empty when the bare
   *                 host names resolve (one Docker network)
   * @param port     every peer's transport port
   */
  public static OrdinalIdentity of(String hostName, int size, String domain, int port) {
    if (hostName == null || hostName.isBlank()) {
      throw new IllegalArgumentException("The host name is empty; a StatefulSet pod is named NAME-<ordinal>, so set HOSTNAME (or IPA_FEDERATION_HOST) to that.");
    }
    String host = hostName.strip();
    int dot = host.indexOf('.');
    if (dot > 0) host = host.substring(0, dot);
    int dash = host.lastIndexOf('-');
    if (dash <= 0 || dash == host.length() - 1 || !host.substring(dash + 1).chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("The host name '" + hostName + "' does not end in -<ordinal>; a StatefulSet pod is named NAME-<ordinal> (e.g. ipa-fed-3).");
    }
    if (size < 1) throw new IllegalArgumentException("IPA_FEDERATION_SIZE must be the number of peers (≥ 1), got " + size + ".");
    if (port < 1 || port > 65535) throw new IllegalArgumentException("The peer port must be 1-65535, got " + port + ".");
    int ordinal;
    try {
      ordinal = Integer.parseInt(host.substring(dash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("The ordinal of host name '" + hostName + "' is not a number that fits an int.");
    }
    if (ordinal >= size) {
      throw new IllegalArgumentException("Pod " + host + " has ordinal " + ordinal + " but the federation has " + size
          + " peers (0 to " + (size - 1) + "); scale the StatefulSet and IPA_FEDERATION_SIZE together.");
    }
    String name = host.substring(0, dash);
    String suffix = domain == null || domain.isBlank() ? "" : "." + domain.strip();
    Map<String, String> others = new LinkedHashMap<>();
    for (int j = 0; j < size; j++) if (j != ordinal) others.put(PEER_PREFIX + j, name + "-" + j + suffix + ":" + port);
    return new OrdinalIdentity(PEER_PREFIX + ordinal, ordinal, size, others);
  }

  /** The daemon's configuration overrides: id, shard k of N, and the other peers' addresses. */
  public List<String> arguments() {
    List<String> args = new ArrayList<>();
    args.add("-ipa.peer.id=" + peerId);
    args.add("-ipa.peer.shard-index=" + ordinal);
    args.add("-ipa.peer.peers-in-partition=" + size);
    if (!neighbours.isEmpty()) {
      StringBuilder peers = new StringBuilder("-ipa.peer.peers=");
      neighbours.forEach((id, address) -> peers.append(id).append('=').append(address).append(','));
      peers.setLength(peers.length() - 1);
      args.add(peers.toString());
    }
    return args;
  }

  /**
   * Signs this peer's key pair with the CA in {@code caDir} ({@code ca.crt}, {@code ca.key}) into
   * {@code outDir/<peerId>/} unless a certificate is already there (a restarted pod keeps its emptyDir), and
   * returns that directory, the daemon's {@code ipa.peer.tls-dir}.
   */
  public Path signCertificate(Path caDir, Path outDir) throws IOException {
    Path dir = outDir.resolve(peerId);
    if (Files.isRegularFile(dir.resolve(FederationCertificates.PEER_CERT)) && Files.isRegularFile(dir.resolve(FederationCertificates.PEER_KEY))) {
      return dir;
    }
    FederationCertificates.addPeer(caDir, peerId, outDir);
    return dir;
  }

  /** Prints the daemon's arguments for this pod, one per line (see the class comment for the variables). */
  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    try {
      String host = env.getOrDefault("IPA_FEDERATION_HOST", env.get("HOSTNAME"));
      if (host == null) host = java.net.InetAddress.getLocalHost().getHostName();
      OrdinalIdentity id = of(host, integer(env, "IPA_FEDERATION_SIZE", null), env.getOrDefault("IPA_FEDERATION_DOMAIN", ""),
          integer(env, "IPA_FEDERATION_PEER_PORT", 7000));
      List<String> out = new ArrayList<>(id.arguments());
      String ca = env.get("IPA_FEDERATION_CA_DIR");
      if (ca != null && !ca.isBlank()) {
        Path certs = Path.of(env.getOrDefault("IPA_FEDERATION_CERT_DIR", "/tmp/ipa-certs"));
        out.add("-ipa.peer.tls-dir=" + id.signCertificate(Path.of(ca), certs));
      }
      out.forEach(System.out::println);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("ipa federation pod: " + e.getMessage());
      System.exit(2);
    }
  }

  private static int integer(Map<String, String> env, String key, Integer fallback) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      if (fallback == null) throw new IllegalArgumentException(key + " is not set; it must be the number of peers of the federation.");
      return fallback;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'.");
    }
  }
}
