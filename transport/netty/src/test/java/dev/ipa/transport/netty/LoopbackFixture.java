package dev.ipa.transport.netty;

import dev.ipa.transport.ModelFingerprint;
import dev.ipa.transport.tls.FederationCertificates;
import dev.ipa.transport.tls.TlsFiles;
import dev.ipa.transport.tls.TlsProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Certificates and configurations for a federation of NettyTransports on 127.0.0.1. */
final class LoopbackFixture {
  static final ModelFingerprint MODEL = new ModelFingerprint("mlp-784-128-10", 101_770);
  final Path certs;
  final Map<String, InetSocketAddress> addresses;
  final TlsProvider provider;

  LoopbackFixture(Path dir, List<String> peers) throws IOException {
    this(dir, peers, TlsProvider.AUTO);
  }

  /** Secure configurations use {@code provider}. */
  LoopbackFixture(Path dir, List<String> peers, TlsProvider provider) throws IOException {
    this.provider = provider;
    this.certs = dir.resolve("certs");
    FederationCertificates.generate("fed", peers, certs);
    this.addresses = LoopbackFederation.addresses(peers);
  }

  NettyTransportConfig secure(String peer) {
    return fast(NettyTransportConfig.secure("fed", peer, addresses.get(peer), addresses,
        TlsFiles.inDirectory(certs.resolve(peer)), MODEL).withTlsProvider(provider));
  }

  NettyTransportConfig insecure(String peer) {
    return fast(NettyTransportConfig.insecure("fed", peer, addresses.get(peer), addresses, MODEL));
  }

  /** Short timeouts so failures and reconnects happen within a test's patience. */
  static NettyTransportConfig fast(NettyTransportConfig c) {
    return c.withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(5),
        Duration.ofMillis(50), Duration.ofMillis(500));
  }
}
