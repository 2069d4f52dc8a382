package dev.ipa.peer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.transport.tls.FederationCertificates;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a StatefulSet pod's ordinal makes of it: id, shard, neighbours, certificate; and one sentence for bad input. */
class OrdinalIdentityTest {

  @Test
  void podKIsPeerKOnShardKWithEveryOtherPodByItsStableName() {
    OrdinalIdentity id = OrdinalIdentity.of("study-ipa-federation-2", 4, "study-ipa-federation-peers.sim.svc", 7000);
    assertThat(id.peerId()).isEqualTo("peer-2");
    assertThat(id.ordinal()).isEqualTo(2);
    assertThat(id.neighbours()).containsExactly(
        java.util.Map.entry("peer-0", "study-ipa-federation-0.study-ipa-federation-peers.sim.svc:7000"),
        java.util.Map.entry("peer-1", "study-ipa-federation-1.study-ipa-federation-peers.sim.svc:7000"),
        java.util.Map.entry("peer-3", "study-ipa-federation-3.study-ipa-federation-peers.sim.svc:7000"));
    assertThat(id.arguments()).containsExactly("-ipa.peer.id=peer-2", "-ipa.peer.shard-index=2", "-ipa.peer.peers-in-partition=4",
        "-ipa.peer.peers=peer-0=study-ipa-federation-0.study-ipa-federation-peers.sim.svc:7000,"
            + "peer-1=study-ipa-federation-1.study-ipa-federation-peers.sim.svc:7000,peer-3=study-ipa-federation-3.study-ipa-federation-peers.sim.svc:7000");
  }

  @Test
  void aFullyQualifiedHostNameAndNoDomainGiveBareNames() {
    OrdinalIdentity id = OrdinalIdentity.of("ipafed-0.example.internal", 2, "", 7100);
    assertThat(id.peerId()).isEqualTo("peer-0");
    assertThat(id.neighbours()).containsExactly(java.util.Map.entry("peer-1", "ipafed-1:7100"));
    assertThat(OrdinalIdentity.of("solo-0", 1, "", 7000).arguments()).noneMatch(a -> a.startsWith("-ipa.peer.peers="));
  }

  @Test
  void badHostNamesAndSizesAreOneSentence() {
    assertThatThrownBy(() -> OrdinalIdentity.of("ipafed", 3, "", 7000)).hasMessageContaining("does not end in -<ordinal>");
    assertThatThrownBy(() -> OrdinalIdentity.of("ipafed-x", 3, "", 7000)).hasMessageContaining("does not end in -<ordinal>");
    assertThatThrownBy(() -> OrdinalIdentity.of("ipafed-3", 3, "", 7000)).hasMessageContaining("ordinal 3 but the federation has 3 peers");
    assertThatThrownBy(() -> OrdinalIdentity.of("ipafed-0", 0, "", 7000)).hasMessageContaining("IPA_FEDERATION_SIZE");
    assertThatThrownBy(() -> OrdinalIdentity.of("", 3, "", 7000)).hasMessageContaining("host name is empty");
  }

  @Test
  void signsTheCertificateOfItsPeerIdWithTheCaOnceAndKeepsIt(@TempDir Path dir) throws Exception {
    FederationCertificates.generate("sim", List.of("peer-0"), dir.resolve("ca"));
    OrdinalIdentity id = OrdinalIdentity.of("ipafed-5", 8, "", 7000);
    Path tls = id.signCertificate(dir.resolve("ca"), dir.resolve("tls"));
    assertThat(tls).isEqualTo(dir.resolve("tls/peer-5"));
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(tls.resolve(FederationCertificates.PEER_CERT))));
    assertThat(cert.getSubjectX500Principal().getName()).contains("CN=peer-5").contains("O=sim");
    byte[] key = Files.readAllBytes(tls.resolve(FederationCertificates.PEER_KEY));
    id.signCertificate(dir.resolve("ca"), dir.resolve("tls"));
    assertThat(Files.readAllBytes(tls.resolve(FederationCertificates.PEER_KEY))).as("a restarted pod keeps its key").isEqualTo(key);
  }
}
