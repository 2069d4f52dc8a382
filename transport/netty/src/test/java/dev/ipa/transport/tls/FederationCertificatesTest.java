package dev.ipa.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FederationCertificatesTest {
  @TempDir Path dir;

  @Test
  void writesACaAndPeerCertificatesThatLoadAndNameTheirPeer() throws Exception {
    FederationCertificates.generate("fed", List.of("alice", "bob"), dir);
    X509Certificate ca = FederationTls.readCertificate(dir.resolve("ca.crt"));
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    for (String peer : List.of("alice", "bob")) {
      FederationTls tls = FederationTls.load(TlsFiles.inDirectory(dir.resolve(peer)));
      assertThat(tls.localIdentity()).isEqualTo(peer);
      X509Certificate cert = FederationTls.readCertificate(dir.resolve(peer).resolve("peer.crt"));
      cert.verify(ca.getPublicKey());
      assertThat(cert.getSubjectAlternativeNames()).extracting(san -> san.get(1).toString())
          .contains(peer, "localhost", "127.0.0.1");
      assertThat(Files.readString(dir.resolve(peer).resolve("peer.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(peer).resolve("peer.key"))))
          .isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key")))).isEqualTo("rw-------");
  }

  @Test
  void aKeyThatDoesNotMatchItsCertificateIsReportedInOneSentence() throws Exception {
    FederationCertificates.generate("fed", List.of("alice", "bob"), dir);
    Files.copy(dir.resolve("bob/peer.key"), dir.resolve("alice/peer.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> FederationTls.load(TlsFiles.inDirectory(dir.resolve("alice"))))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessage("peer.key does not match peer.crt in " + dir.resolve("alice").toAbsolutePath() + "; regenerate with ./ipa certs.");
  }

  @Test
  void aCertificateFromAnotherCaOrAnUnreadableFileIsRefused() throws Exception {
    FederationCertificates.generate("fed", List.of("alice"), dir.resolve("one"));
    FederationCertificates.generate("fed", List.of("alice"), dir.resolve("two"));
    TlsFiles mixed = new TlsFiles(dir.resolve("one/alice/peer.crt"), dir.resolve("one/alice/peer.key"), dir.resolve("two/ca.crt"));
    assertThatThrownBy(() -> FederationTls.load(mixed)).isInstanceOf(TlsMaterialException.class)
        .hasMessageContaining("was not signed by the federation CA");
    Files.writeString(dir.resolve("one/alice/peer.crt"), "not a certificate");
    assertThatThrownBy(() -> FederationTls.load(TlsFiles.inDirectory(dir.resolve("one/alice"))))
        .isInstanceOf(TlsMaterialException.class).hasMessageContaining("is not a PEM X.509 certificate");
    assertThatThrownBy(() -> FederationTls.load(TlsFiles.inDirectory(dir.resolve("missing"))))
        .isInstanceOf(TlsMaterialException.class).hasMessageContaining("Cannot read certificate");
  }

  @Test
  void peerIdsMustBeDnsLabels() {
    assertThatThrownBy(() -> FederationCertificates.generate("fed", List.of("../etc"), dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../etc' is not valid");
    assertThatThrownBy(() -> FederationCertificates.generate("fed", List.of("a", "a"), dir))
        .hasMessageContaining("listed twice");
  }
}
