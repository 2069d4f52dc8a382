package dev.ipa.sim.cli;

import dev.ipa.alignment.data.TrainTest;
import dev.ipa.sim.engine.FederationCollector;
import dev.ipa.sim.report.Reports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ipa federation ...}: commands about a federation of running peer daemons. */
@Command(name = "federation", description = "Work with a federation of running peer daemons (e.g. the ipa-federation Helm chart).",
    subcommands = FederationCommand.Collect.class)
public final class FederationCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code ipa federation collect}: every peer's results, from its admin API, into the report {@code ipa simulate}
   * writes. With {@code --namespace} it finds the pods with kubectl and reaches each one through
   * {@code kubectl port-forward} on 127.0.0.1, one pod at a time, so the admin port never leaves the cluster; with
   * {@code --admin-url} it reads the URLs given.
   */
  @Command(name = "collect", description = "Collect every peer's rounds from its admin API into report.json, rounds.csv and accuracy.png, as ipa simulate writes.",
      footer = {"", "Examples:",
          "  ipa federation collect --namespace ipa-sim --release study --data embedded",
          "  ipa federation collect --admin-url http://127.0.0.1:8081 --admin-url http://127.0.0.1:8082"})
  public static final class Collect implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin DataOption data;

    @Option(names = "--namespace", paramLabel = "NS", description = "Kubernetes namespace of the federation's pods (uses kubectl).")
    String namespace;

    @Option(names = "--release", description = "Helm release of the ipa-federation chart; default: every ipa-federation pod in the namespace.")
    String release;

    @Option(names = "--admin-url", paramLabel = "URL", description = "A peer's admin API, e.g. http://127.0.0.1:8081 (repeat for each peer); instead of --namespace.")
    List<URI> adminUrls = new ArrayList<>();

    @Option(names = "--user", defaultValue = "admin", description = "Admin user. Default: ${DEFAULT-VALUE}.")
    String user;

    @Option(names = "--password-env", defaultValue = "IPA_ADMIN_PASSWORD", description = "Environment variable holding the admin password. Default: ${DEFAULT-VALUE}.")
    String passwordEnv;

    @Option(names = "--kubectl", defaultValue = "kubectl", description = "The kubectl to run. Default: ${DEFAULT-VALUE}.")
    String kubectl;

    @Option(names = "--no-shards", description = "Do not load data to recompute the peers' shards (sizes and classes stay empty).")
    boolean noShards;

    @Option(names = "--out", description = "Run directory. Default: runs/federation-<time>.")
    String out;

    @Override
    public void run() {
      if ((namespace == null) == adminUrls.isEmpty()) {
        throw new IllegalArgumentException("Give either --namespace NS (pods found with kubectl) or one --admin-url per peer, not both and not neither.");
      }
      String password = System.getenv(passwordEnv);
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException("The admin password is read from $" + passwordEnv + ", which is not set; export it or name another variable with --password-env.");
      }
      PrintWriter o = spec.commandLine().getOut();
      TrainTest tt = noShards ? null : data.load();
      if (tt != null) o.println("Shards recomputed from: " + tt.describe());
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      List<FederationCollector.PeerReport> reports = new ArrayList<>();
      try {
        if (namespace != null) {
          List<String> pods = pods();
          o.printf("Collecting from %s in namespace %s through kubectl port-forward%n", Counted.of(pods.size(), "pod"), namespace);
          for (String pod : pods) reports.add(viaPortForward(http, pod, password));
        } else {
          for (URI url : adminUrls) reports.add(FederationCollector.fetch(http, url, user, password));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      FederationCollector.Collected collected = FederationCollector.assemble(reports, tt);
      Path dir = Reports.runDirectory(out, "federation");
      collected.write(dir, o);
    }

    /** The federation's pod names, in the namespace, from kubectl. */
    private List<String> pods() {
      String selector = "app.kubernetes.io/name=ipa-federation" + (release == null ? "" : ",app.kubernetes.io/instance=" + release);
      String listing = kubectl(List.of("-n", namespace, "get", "pods", "-l", selector, "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"));
      List<String> pods = listing.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
      if (pods.isEmpty()) throw new IllegalArgumentException("No pods with labels " + selector + " in namespace " + namespace + "; check --namespace and --release.");
      return pods;
    }

    private String kubectl(List<String> args) {
      List<String> command = new ArrayList<>(List.of(kubectl));
      command.addAll(args);
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException(String.join(" ", command) + " failed: " + text.strip());
        }
        return text;
      } catch (IOException e) {
        throw new IllegalStateException("Could not run " + kubectl + " (" + e.getMessage() + "); install kubectl or give --kubectl, or use --admin-url.", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while running kubectl.", e);
      }
    }

    /** Forwards a free port on 127.0.0.1 to the pod's admin port, reads the peer through it, and stops forwarding. */
    private FederationCollector.PeerReport viaPortForward(HttpClient http, String pod, String password) throws InterruptedException {
      Process p;
      try {
        p = new ProcessBuilder(kubectl, "-n", namespace, "port-forward", "--address", "127.0.0.1", "pod/" + pod, ":admin")
            .redirectErrorStream(true).start();
      } catch (IOException e) {
        throw new IllegalStateException("Could not run " + kubectl + " port-forward (" + e.getMessage() + "); install kubectl or use --admin-url.", e);
      }
      try {
        int port = forwardedPort(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)), pod);
        return FederationCollector.fetch(http, URI.create("http://127.0.0.1:" + port), user, password);
      } finally {
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) ->");

  /** The local port from kubectl port-forward's first lines ("Forwarding from 127.0.0.1:PORT -> 8080"). */
  static int forwardedPort(BufferedReader output, String pod) {
    StringBuilder seen = new StringBuilder();
    try {
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        Matcher m = FORWARDING.matcher(line);
        if (m.find()) return Integer.parseInt(m.group(1));
        seen.append(line).append(' ');
      }
    } catch (IOException e) {
      throw new IllegalStateException("kubectl port-forward to pod " + pod + " failed: " + e.getMessage(), e);
    }
    throw new IllegalStateException("kubectl port-forward to pod " + pod + " ended without forwarding: " + seen.toString().strip());
  }
}
