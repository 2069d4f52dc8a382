package dev.ipa.deploy;

import static dev.ipa.deploy.HelmTemplate.at;
import static dev.ipa.deploy.HelmTemplate.envValue;
import static dev.ipa.deploy.HelmTemplate.only;
import static dev.ipa.deploy.HelmTemplate.portsByName;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.peer.config.OrdinalIdentity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders deploy/helm/ipa-federation (an N-peer federation as one StatefulSet) with the real {@code helm
 * template} for N = 3 and N = 50, and checks what makes pod k peer k: the replicas, the headless Service that
 * names the pods, the variables the entrypoint derives each pod's identity from, the CA secret every pod signs
 * its certificate with, and the shared configuration.
 */
class FederationChartTest {
  private static final Path CHART = DeployPaths.moduleDir().resolve("helm/ipa-federation");

  @ParameterizedTest
  @ValueSource(ints = {3, 50})
  void rendersOneStatefulSetOfNPeersWithTheirAddressesCertificatesAndSharedConfig(int n) throws Exception {
    List<Map<String, Object>> docs = HelmTemplate.render(CHART, "study", "ipa-sim", "--set", "peers=" + n, "--set", "ca.existingSecret=sim-ca",
        "--set", "admin.password=s3cret-admin", "--set", "peer.partition=dirichlet:0.3", "--set", "federation_settings.topology=random:8");

    Map<String, Object> sts = only(docs, "StatefulSet");
    assertThat((Integer) at(sts, "spec.replicas")).isEqualTo(n);
    assertThat((String) at(sts, "spec.podManagementPolicy")).isEqualTo("Parallel");
    String name = at(sts, "metadata.name");

    // The headless Service the StatefulSet names its pods through, selecting exactly its pods, published before ready.
    Map<String, Object> headless = only(docs, "Service");
    assertThat((String) at(headless, "spec.clusterIP")).isEqualTo("None");
    assertThat((Boolean) at(headless, "spec.publishNotReadyAddresses")).isTrue();
    assertThat((String) at(sts, "spec.serviceName")).isEqualTo(at(headless, "metadata.name"));
    Map<String, Object> podLabels = at(sts, "spec.template.metadata.labels");
    assertThat(podLabels).containsAllEntriesOf(at(headless, "spec.selector"));
    assertThat(podLabels).containsAllEntriesOf(at(sts, "spec.selector.matchLabels"));
    assertThat(portsByName(at(headless, "spec.ports"), "port")).containsEntry("peer", 7000).containsEntry("admin", 8080);

    // What the entrypoint derives pod k's identity from; the domain resolves NAME-j through that Service.
    Map<String, Object> container = HelmTemplate.<List<Map<String, Object>>>at(sts, "spec.template.spec.containers").get(0);
    assertThat(envValue(container, "IPA_FEDERATION_SIZE")).isEqualTo(String.valueOf(n));
    String domain = envValue(container, "IPA_FEDERATION_DOMAIN");
    assertThat(domain).isEqualTo(at(headless, "metadata.name") + ".ipa-sim.svc");
    assertThat(envValue(container, "IPA_FEDERATION_PEER_PORT")).isEqualTo("7000");
    assertThat(portsByName(at(container, "ports"), "containerPort")).containsEntry("peer", 7000).containsEntry("admin", 8080);
    // The last pod, as the entrypoint will configure it: peer-(n-1), shard n-1 of n, the n-1 others by stable name.
    OrdinalIdentity last = OrdinalIdentity.of(name + "-" + (n - 1), n, domain, 7000);
    assertThat(last.peerId()).isEqualTo("peer-" + (n - 1));
    assertThat(last.neighbours()).hasSize(n - 1).containsEntry("peer-0", name + "-0." + domain + ":7000");

    // Certificates: the CA secret mounted read-only, the pod's own key in a memory volume where the entrypoint signs it.
    List<Map<String, Object>> volumes = at(sts, "spec.template.spec.volumes");
    Map<String, Object> ca = volumes.stream().filter(v -> "ca".equals(v.get("name"))).findFirst().orElseThrow();
    assertThat((String) at(ca, "secret.secretName")).isEqualTo("sim-ca");
    Map<String, Object> tls = volumes.stream().filter(v -> "tls".equals(v.get("name"))).findFirst().orElseThrow();
    assertThat((String) at(tls, "emptyDir.medium")).isEqualTo("Memory");
    List<Map<String, Object>> mounts = at(container, "volumeMounts");
    assertThat(mounts).extracting(m -> m.get("name") + "@" + m.get("mountPath"))
        .contains("ca@" + envValue(container, "IPA_FEDERATION_CA_DIR"), "tls@" + envValue(container, "IPA_FEDERATION_CERT_DIR"),
            "checkpoints@/var/lib/ipa", "config@/etc/ipa/config");
    assertThat(this.<List<Map<String, Object>>>claims(sts)).hasSize(1);

    // One shared configuration: no peer id or shard in it (those come from the ordinal), the study's settings are.
    Map<String, Object> config = only(docs, "ConfigMap");
    Map<String, Object> peerYml = new Yaml().load((String) at(config, "data.peer.yml"));
    assertThat((Map<String, Object>) at(peerYml, "ipa.peer")).doesNotContainKeys("id", "shard-index", "peers", "peers-in-partition");
    assertThat((String) at(peerYml, "ipa.peer.partition")).isEqualTo("dirichlet:0.3");
    assertThat((String) at(peerYml, "ipa.federation.topology")).isEqualTo("random:8");
    assertThat((String) at(peerYml, "ipa.peer.listen")).isEqualTo("0.0.0.0:7000");
    assertThat(envValue(container, "IPA_CONFIG")).isEqualTo("/etc/ipa/config/peer.yml");

    // The admin API has credentials from the rendered Secret.
    Map<String, Object> admin = only(docs, "Secret");
    assertThat(HelmTemplate.decode(at(admin, "data.password"))).isEqualTo("s3cret-admin");
    assertThat(HelmTemplate.<List<Map<String, Object>>>at(container, "env"))
        .anySatisfy(e -> assertThat((String) at(e, "valueFrom.secretKeyRef.name")).isEqualTo(at(admin, "metadata.name")));
  }

  @Test
  void refusesToRenderWithoutACaOrAdminPasswordOrWithNoPeers() throws Exception {
    HelmTemplate.Rendered noCa = HelmTemplate.helm("template", "x", CHART.toString(), "--set", "admin.password=p");
    assertThat(noCa.exit()).isNotZero();
    assertThat(noCa.stderr()).contains("ca.existingSecret");
    HelmTemplate.Rendered noPassword = HelmTemplate.helm("template", "x", CHART.toString(), "--set", "ca.existingSecret=c");
    assertThat(noPassword.exit()).isNotZero();
    assertThat(noPassword.stderr()).contains("admin.password");
    HelmTemplate.Rendered zero = HelmTemplate.helm("template", "x", CHART.toString(), "--set", "ca.existingSecret=c", "--set", "admin.password=p",
        "--set", "peers=0");
    assertThat(zero.exit()).isNotZero();
    assertThat(zero.stderr()).contains("number of peers");
  }

  private <T> T claims(Map<String, Object> sts) {
    return at(sts, "spec.volumeClaimTemplates");
  }
}
