package dev.ipa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders deploy/helm/ipa-peer with the real {@code helm template} (helm on the PATH, or $HELM; .ci/run installs
 * it with deploy/helm/install-helm.sh) and checks the objects a peer needs. Fails, rather than skips, without helm.
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

    Map<String, Object> container = this.<List<Map<String, Object>>>at(sts, "spec.template.spec.containers").get(0);
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
    assertThat(this.<List<Map<String, Object>>>at(container, "env"))
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
        .filter(d -> this.<String>at(d, "metadata.name").endsWith("-tls")).findFirst().orElseThrow();
    assertThat(decode(at(tls, "data.peer.crt"))).isEqualTo("CRT");
    assertThat(decode(at(tls, "data.peer.key"))).isEqualTo("KEY");
    assertThat(decode(at(tls, "data.ca.crt"))).isEqualTo("CA");
    Map<String, Object> annotations = at(only(docs, "StatefulSet"), "spec.template.metadata.annotations");
    assertThat(annotations).doesNotContainKey("prometheus.io/scrape");
  }

  @Test
  void refusesToRenderAnOpenAdminApiOrAPeerWithoutCertificates() throws Exception {
    Rendered noPassword = helm("template", "x", CHART.toString(), "--set", "tls.existingSecret=t");
    assertThat(noPassword.exit).isNotZero();
    assertThat(noPassword.stderr).contains("admin.password");
    Rendered noTls = helm("template", "x", CHART.toString(), "--set", "admin.password=p");
    assertThat(noTls.exit).isNotZero();
    assertThat(noTls.stderr).contains("tls.existingSecret");
  }

  // --- helpers ---

  private record Rendered(int exit, String stdout, String stderr) {}

  private static List<Map<String, Object>> render(String release, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("template", release, CHART.toString(), "--namespace", "ipa-demo"));
    command.addAll(List.of(args));
    Rendered r = helm(command.toArray(String[]::new));
    assertThat(r.exit).as("helm template failed: %s", r.stderr).isZero();
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(r.stdout)) {
      if (doc != null) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) doc;
        docs.add(map);
      }
    }
    return docs;
  }

  private static Rendered helm(String... args) throws IOException, InterruptedException {
    String helm = System.getenv().getOrDefault("HELM", "helm");
    List<String> command = new ArrayList<>(List.of(helm));
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new IllegalStateException("helm is needed to render the chart and was not found (" + helm
          + "); install it with deploy/helm/install-helm.sh or set HELM.", e);
    }
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Rendered(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private static Map<String, Object> only(List<Map<String, Object>> docs, String kind) {
    List<Map<String, Object>> found = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    assertThat(found).as("rendered objects of kind %s", kind).hasSize(1);
    return found.get(0);
  }

  /** Walks a dotted path; keys containing dots (peer.yml, prometheus.io/...) are tried whole first. */
  @SuppressWarnings("unchecked")
  private <T> T at(Map<String, Object> map, String path) {
    if (map.containsKey(path)) return (T) map.get(path);
    int dot = path.indexOf('.');
    while (dot > 0) {
      Object next = map.get(path.substring(0, dot));
      if (next instanceof Map<?, ?> m) {
        Object v = at((Map<String, Object>) m, path.substring(dot + 1));
        if (v != null) return (T) v;
      }
      dot = path.indexOf('.', dot + 1);
    }
    return null;
  }

  private static Map<String, Object> portsByName(List<Map<String, Object>> ports, String field) {
    Map<String, Object> out = new java.util.HashMap<>();
    ports.forEach(p -> out.put((String) p.get("name"), p.get(field)));
    return out;
  }

  private static String envValue(Map<String, Object> container, String name) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> env = (List<Map<String, Object>>) container.get("env");
    return env.stream().filter(e -> name.equals(e.get("name"))).map(e -> (String) e.get("value")).findFirst().orElse(null);
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
