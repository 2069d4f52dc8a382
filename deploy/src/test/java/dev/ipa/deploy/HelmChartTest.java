package dev.ipa.deploy;

import static dev.ipa.deploy.HelmTemplate.at;
import static dev.ipa.deploy.HelmTemplate.decode;
import static dev.ipa.deploy.HelmTemplate.envValue;
import static dev.ipa.deploy.HelmTemplate.only;
import static dev.ipa.deploy.HelmTemplate.portsByName;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders deploy/helm/ipa-peer with the real {@code helm template} ({@link HelmTemplate}) and checks the objects a
 * peer needs. Fails, rather than skips, without helm.
 */
class HelmChartTest {

  private static final Path CHART = DeployPaths.moduleDir().resolve("helm/ipa-peer");

  @ParameterizedTest
  @ValueSource(strings = {"a", "b", "c"})
  void demoValuesRenderOnePeerWithStorageProbesAndConfig(String peer) throws Exception {
    List<Map<String, Object>> docs = render("ipa-peer-" + peer,
        "-f", DeployPaths.moduleDir().resolve("helm/values-demo-" + peer + ".yaml").toString(), "--set", "admin.password=s3cret");

    Map<String, Object> sts = only(docs, "StatefulSet");
    assertThat((Integer) at(sts, "spec.replicas")).isEqualTo(1);
    List<Map<String, Object>> claims = at(sts, "spec.volumeClaimTemplates");
    assertThat(claims).hasSize(1);
    assertThat((String) at(claims.get(0), "metadata.name")).isEqualTo("checkpoints");
    assertThat((String) at(claims.get(0), "spec.resources.requests.storage")).isEqualTo("1Gi");

    Map<String, Object> container = HelmTemplate.<List<Map<String, Object>>>at(sts, "spec.template.spec.containers").get(0);
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      assertThat((String) at(container, probe + ".httpGet.path")).as(probe).isEqualTo("/health");
      assertThat((String) at(container, probe + ".httpGet.port")).as(probe).isEqualTo("admin");
    }
    assertThat(portsByName(at(container, "ports"), "containerPort")).containsEntry("peer", 7000).containsEntry("admin", 8080);
    List<Map<String, Object>> mounts = at(container, "volumeMounts");
    assertThat(mounts).extracting(m -> m.get("name") + "@" + m.get("mountPath"))
        .contains("checkpoints@/var/lib/ipa", "tls@/etc/ipa/tls", "config@/etc/ipa/config");
    assertThat(envValue(container, "IPA_CONFIG")).isEqualTo("/etc/ipa/config/peer.yml");
    assertThat((Integer) at(sts, "spec.template.spec.securityContext.runAsUser")).isEqualTo(10001);

    // The TLS secret is the one values-demo names; the admin secret is rendered and holds the credentials.
    List<Map<String, Object>> volumes = at(sts, "spec.template.spec.volumes");
    Map<String, Object> tlsVolume = volumes.stream().filter(v -> "tls".equals(v.get("name"))).findFirst().orElseThrow();
    assertThat((String) at(tlsVolume, "secret.secretName")).isEqualTo("ipa-peer-" + peer + "-tls");
    Map<String, Object> admin = only(docs, "Secret");
    String adminName = at(admin, "metadata.name");
    assertThat(decode(at(admin, "data.password"))).isEqualTo("s3cret");
    assertThat(decode(at(admin, "data.username"))).isEqualTo("admin");
    assertThat(HelmTemplate.<List<Map<String, Object>>>at(container, "env"))
        .anySatisfy(e -> assertThat((String) at(e, "valueFrom.secretKeyRef.name")).isEqualTo(adminName));

    // Both ports on the Service, selecting the StatefulSet's pods.
    Map<String, Object> service = docs.stream()
        .filter(d -> "Service".equals(d.get("kind")) && !"None".equals(at(d, "spec.clusterIP"))).findFirst().orElseThrow();
    assertThat(portsByName(at(service, "spec.ports"), "port")).containsEntry("peer", 7000).containsEntry("admin", 8080);
    Map<String, Object> podLabels = at(sts, "spec.template.metadata.labels");
    assertThat(podLabels).containsAllEntriesOf(at(service, "spec.selector"));
    assertThat((String) at(sts, "spec.serviceName")).isEqualTo(docs.stream()
        .filter(d -> "Service".equals(d.get("kind")) && "None".equals(at(d, "spec.clusterIP")))
        .map(d -> (String) at(d, "metadata.name")).findFirst().orElseThrow());

    Map<String, Object> annotations = at(sts, "spec.template.metadata.annotations");
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/path", "/prometheus")
        .containsEntry("prometheus.io/port", "8080");

    // The peer configuration: this peer's id and shard, the two others as id=host:port, ports matching the pod's.
    Map<String, Object> config = only(docs, "ConfigMap");
    Map<String, Object> peerYml = new Yaml().load((String) at(config, "data.peer.yml"));
    assertThat((String) at(peerYml, "ipa.peer.id")).isEqualTo(peer);
    assertThat((String) at(peerYml, "ipa.peer.federation")).isEqualTo("demo");
    assertThat((String) at(peerYml, "ipa.peer.listen")).isEqualTo("0.0.0.0:7000");
    assertThat((String) at(peerYml, "ipa.peer.tls-dir")).isEqualTo("/etc/ipa/tls");
    assertThat((String) at(peerYml, "ipa.peer.checkpoint-dir")).startsWith("/var/lib/ipa/");
    assertThat((String) at(peerYml, "ipa.peer.shard-index")).isEqualTo(String.valueOf(peer.charAt(0) - 'a'));
    assertThat((Integer) at(peerYml, "micronaut.server.port")).isEqualTo(8080);
    List<String> others = at(peerYml, "ipa.peer.peers");
    assertThat(others).hasSize(2).allMatch(e -> e.matches("[a-c]=[a-z0-9.-]+:7000")).noneMatch(e -> e.startsWith(peer + "="));
  }

  @Test
  void inlineTlsMaterialBecomesASecretWithTheThreeFiles() throws Exception {
    List<Map<String, Object>> docs = render("org-a", "--set", "admin.password=x", "--set", "tls.peerCrt=CRT",
        "--set", "tls.peerKey=KEY", "--set", "tls.caCrt=CA", "--set", "prometheus.scrape=false");
    Map<String, Object> tls = docs.stream().filter(d -> "Secret".equals(d.get("kind")))
        .filter(d -> HelmTemplate.<String>at(d, "metadata.name").endsWith("-tls")).findFirst().orElseThrow();
    assertThat(decode(at(tls, "data.peer.crt"))).isEqualTo("CRT");
    assertThat(decode(at(tls, "data.peer.key"))).isEqualTo("KEY");
    assertThat(decode(at(tls, "data.ca.crt"))).isEqualTo("CA");
    Map<String, Object> annotations = at(only(docs, "StatefulSet"), "spec.template.metadata.annotations");
    assertThat(annotations).doesNotContainKey("prometheus.io/scrape");
  }

  @Test
  void refusesToRenderAnOpenAdminApiOrAPeerWithoutCertificates() throws Exception {
    HelmTemplate.Rendered noPassword = HelmTemplate.helm("template", "x", CHART.toString(), "--set", "tls.existingSecret=t");
    assertThat(noPassword.exit()).isNotZero();
    assertThat(noPassword.stderr()).contains("admin.password");
    HelmTemplate.Rendered noTls = HelmTemplate.helm("template", "x", CHART.toString(), "--set", "admin.password=p");
    assertThat(noTls.exit()).isNotZero();
    assertThat(noTls.stderr()).contains("tls.existingSecret");
  }

  private static List<Map<String, Object>> render(String release, String... args) throws Exception {
    return HelmTemplate.render(CHART, release, "ipa-demo", args);
  }
}
