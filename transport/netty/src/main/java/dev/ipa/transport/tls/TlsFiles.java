package dev.ipa.transport.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one peer's TLS material lives: its certificate, its PKCS#8 private key and the federation CA it trusts,
 * all PEM. {@link FederationCertificates#generate} writes them as {@code <peer>/peer.crt}, {@code <peer>/peer.key}
 * and {@code <peer>/ca.crt}.
 *
 * @param certificate   the peer's certificate (CN = peer id), signed by the federation CA
 * @param privateKey    the key of {@code certificate}, PKCS#8 PEM
 * @param caCertificate the federation CA; the only certificate this peer trusts
 */
public record TlsFiles(Path certificate, Path privateKey, Path caCertificate) {
  public TlsFiles {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(caCertificate, "caCertificate");
  }

  /** The files {@link FederationCertificates#generate} writes for one peer, in {@code peerDirectory}. */
  public static TlsFiles inDirectory(Path peerDirectory) {
    return new TlsFiles(
        peerDirectory.resolve(FederationCertificates.PEER_CERT),
        peerDirectory.resolve(FederationCertificates.PEER_KEY),
        peerDirectory.resolve(FederationCertificates.CA_CERT));
  }
}
