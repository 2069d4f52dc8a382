package dev.ipa.transport.netty;

import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.ModelFingerprint;
import dev.ipa.transport.tls.FederationCertificates;
import dev.ipa.transport.tls.TlsFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A local federation over real sockets: every peer gets its own mutual-TLS Netty listener on 127.0.0.1 and
 * certificates from a fresh federation CA. Used by {@code ipa simulate --transport loopback} and by the protocol
 * tests, so the same round protocol is exercised over Netty as over the in-memory network.
 */
public final class LoopbackTls {
  private LoopbackTls() {}

  /** Creates (not yet started) TLS transports for {@code peers}, with certificates written under {@code certDir}. */
  public static List<PeerTransport> transports(String federation, List<String> peers, Path certDir, ModelFingerprint fingerprint) {
    try {
      FederationCertificates.generate(federation, peers, certDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the federation's certificates to " + certDir + ": " + e.getMessage(), e);
    }
    Map<String, InetSocketAddress> addresses = LoopbackFederation.addresses(peers);
    List<PeerTransport> out = new ArrayList<>();
    for (String p : peers) {
      out.add(new NettyTransport(NettyTransportConfig.secure(federation, p, addresses.get(p), addresses,
          TlsFiles.inDirectory(certDir.resolve(p)), fingerprint)));
    }
    return out;
  }

  /** Waits until every transport reports all its links up; fails with a sentence naming who is missing. */
  public static void awaitConnected(List<PeerTransport> transports, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> down = new ArrayList<>();
      for (PeerTransport t : transports) {
        t.links().forEach((peer, state) -> {
          if (!state.connected()) down.add(t.localPeer() + "→" + peer);
        });
      }
      if (down.isEmpty()) return;
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Loopback peers did not connect within " + timeout.toSeconds() + " s: " + down + " still down.");
      }
      Thread.sleep(50);
    }
  }
}
