package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsCommandTest {
  @Test
  void writesACaAndOneOwnerOnlyKeyPerPeer(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("certs", "--federation", "f", "--peers", "a,b", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    for (String p : new String[] {"a", "b"}) {
      assertThat(dir.resolve(p).resolve("peer.crt")).exists();
      assertThat(dir.resolve(p).resolve("ca.crt")).hasSameBinaryContentAs(dir.resolve("ca.crt"));
      assertThat(Files.getPosixFilePermissions(dir.resolve(p).resolve("peer.key")))
          .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    }
    assertThat(Files.getPosixFilePermissions(dir.resolve("ca.key"))).doesNotContain(PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_READ);
    assertThat(run.out()).contains("give to a");
  }

  @Test
  void aPeerListedTwiceIsRejected(@TempDir Path dir) {
    CliRun run = CliRun.of("certs", "--federation", "f", "--peers", "a,a", "--out", dir.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("lists a peer twice");
  }

  @Test
  void anExistingCaIsKeptUnlessForced(@TempDir Path dir) throws Exception {
    assertThat(CliRun.of("certs", "--federation", "f", "--peers", "a", "--out", dir.toString()).exitCode()).isZero();
    byte[] ca = Files.readAllBytes(dir.resolve("ca.key"));
    CliRun again = CliRun.of("certs", "--federation", "f", "--peers", "a", "--out", dir.toString());
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).startsWith("ipa certs: " + dir + " already holds a federation CA").contains("add-peer").contains("--force");
    assertThat(Files.readAllBytes(dir.resolve("ca.key"))).isEqualTo(ca);
    assertThat(CliRun.of("certs", "--federation", "f", "--peers", "a", "--out", dir.toString(), "--force").exitCode()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("ca.key"))).isNotEqualTo(ca);
  }

  @Test
  void addPeerSignsWithTheExistingCaSoOldAndNewPeersTrustEachOther(@TempDir Path dir) throws Exception {
    assertThat(CliRun.of("certs", "--federation", "f", "--peers", "a", "--out", dir.toString()).exitCode()).isZero();
    byte[] ca = Files.readAllBytes(dir.resolve("ca.crt"));
    CliRun add = CliRun.of("certs", "add-peer", "d", "--ca", dir.toString());
    assertThat(add.exitCode()).as(add.err()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("ca.crt"))).as("the CA is untouched").isEqualTo(ca);
    assertThat(dir.resolve("d").resolve("ca.crt")).hasSameBinaryContentAs(dir.resolve("ca.crt"));
    var cf = java.security.cert.CertificateFactory.getInstance("X.509");
    var caCert = (java.security.cert.X509Certificate) cf.generateCertificate(Files.newInputStream(dir.resolve("ca.crt")));
    var peerCert = (java.security.cert.X509Certificate) cf.generateCertificate(Files.newInputStream(dir.resolve("d").resolve("peer.crt")));
    peerCert.verify(caCert.getPublicKey()); // throws unless the existing CA signed it
    assertThat(peerCert.getSubjectX500Principal().getName()).contains("CN=d").contains("O=f");
    assertThat(CliRun.of("certs", "add-peer", "d", "--ca", dir.toString()).err()).contains("already holds a key for peer 'd'");
    CliRun noCa = CliRun.of("certs", "add-peer", "e", "--ca", dir.resolve("nope").toString());
    assertThat(noCa.exitCode()).isEqualTo(2);
    assertThat(noCa.err()).startsWith("ipa certs add-peer: ").contains("does not hold ca.crt and ca.key");
  }
}
