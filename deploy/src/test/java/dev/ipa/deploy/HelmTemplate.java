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
import org.yaml.snakeyaml.Yaml;

/**
 * Runs the real {@code helm template} (helm on the PATH, or $HELM; .ci/run installs it with
 * deploy/helm/install-helm.sh) and reads the rendered objects, for the chart tests. Fails, rather than skips,
 * without helm.
 */
final class HelmTemplate {
  private HelmTemplate() {}

  record Rendered(int exit, String stdout, String stderr) {}

  /** Renders {@code chart} as {@code release} in {@code namespace} and returns its objects; fails on a helm error. */
  static List<Map<String, Object>> render(Path chart, String release, String namespace, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("template", release, chart.toString(), "--namespace", namespace));
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

  static Rendered helm(String... args) throws IOException, InterruptedException {
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

  static Map<String, Object> only(List<Map<String, Object>> docs, String kind) {
    List<Map<String, Object>> found = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    assertThat(found).as("rendered objects of kind %s", kind).hasSize(1);
    return found.get(0);
  }

  /** Walks a dotted path; keys containing dots (peer.yml, prometheus.io/...) are tried whole first. */
  @SuppressWarnings("unchecked")
  static <T> T at(Map<String, Object> map, String path) {
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

  static Map<String, Object> portsByName(List<Map<String, Object>> ports, String field) {
    Map<String, Object> out = new java.util.HashMap<>();
    ports.forEach(p -> out.put((String) p.get("name"), p.get(field)));
    return out;
  }

  static String envValue(Map<String, Object> container, String name) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> env = (List<Map<String, Object>>) container.get("env");
    return env.stream().filter(e -> name.equals(e.get("name"))).map(e -> (String) e.get("value")).findFirst().orElse(null);
  }

  static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
