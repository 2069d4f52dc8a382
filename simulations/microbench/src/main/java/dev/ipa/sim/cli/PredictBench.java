package dev.ipa.sim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.bench.PredictionBenchmark;
import dev.ipa.peer.PeerDaemon;
import dev.ipa.sim.report.Table;
import dev.ipa.transport.tls.FederationCertificates;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ipa bench predict}: rows/s of CSV prediction with the tabular MLP on the embedded table (repeated to
 * {@code --rows}), and of {@code POST /api/predict} on a real daemon over loopback with batches of 1 and 256.
 * The daemon part starts two table peers on the embedded table (their statistics exchange needs both) with
 * auto-start off, so the endpoint answers from the initial model while nothing trains beside it.
 */
@Command(name = "predict", description = "Prediction rows/s: CSV (tabular MLP, embedded table repeated) and POST /api/predict over loopback (batches of 1 and 256).")
final class PredictBench implements Runnable {
  private static final String USER = "admin";
  private static final String PASSWORD = "bench-admin-password";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--rows", defaultValue = "500000", description = "CSV rows to predict per run. Default: ${DEFAULT-VALUE}.")
  int rows;

  @Option(names = "--model", defaultValue = "mlp", description = "The tabular model. Default: ${DEFAULT-VALUE} (hidden 200, 200).")
  String model;

  @Option(names = "--repeat", defaultValue = "3", description = "Timed CSV runs; all are printed. Default: ${DEFAULT-VALUE}.")
  int repeat;

  @Option(names = "--requests", defaultValue = "2000", description = "Requests of one record to the daemon (a tenth as many of 256). Default: ${DEFAULT-VALUE}.")
  int requests;

  @Override
  public void run() {
    PrintWriter o = spec.commandLine().getOut();
    String omp = System.getenv("OMP_NUM_THREADS");
    o.printf("Cores: %d, OMP_NUM_THREADS=%s%n", Runtime.getRuntime().availableProcessors(), omp == null ? "unset" : omp);
    Path dir;
    try {
      dir = Files.createTempDirectory("ipa-bench-predict");
      TableSchema schema = PredictionBenchmark.embeddedSchema();
      PackedModel m = PredictionBenchmark.model(schema, model);
      Path csv = dir.resolve("rows.csv");
      long bytes = PredictionBenchmark.writeRepeated(csv, rows);
      o.printf("CSV: the embedded breast-cancer table (%d columns) repeated to %,d rows, %.1f MB; model %s%n", schema.columns().size(), rows, bytes / 1e6,
          m.architecture().describe());
      o.flush();
      Table t = new Table("run", "rows", "seconds", "rows/s");
      List<Double> rates = new ArrayList<>();
      for (int r = 1; r <= repeat; r++) {
        PredictionBenchmark.Result res = PredictionBenchmark.csv(csv, m, schema, dir.resolve("predictions.csv"));
        rates.add(res.rowsPerSecond());
        t.row(r, String.format("%,d", res.rows()), String.format("%.2f", res.seconds()), String.format("%,.0f", res.rowsPerSecond()));
      }
      o.print(t);
      rates.sort(Double::compare);
      double median = rates.get(rates.size() / 2);
      o.printf("CSV prediction: median %,.0f rows/s; goal ≥ 100,000 rows/s: %s%n", median, median >= 100_000 ? "met" : "missed");
      o.flush();
      daemon(dir, schema, o);
    } catch (IOException e) {
      throw new Ipa.UserError("The prediction benchmark could not write its files: " + e.getMessage() + ".");
    }
  }

  private void daemon(Path dir, TableSchema schema, PrintWriter o) throws IOException {
    List<String> ids = List.of("a", "b");
    FederationCertificates.generate("bench", ids, dir.resolve("certs"));
    Map<String, Integer> peerPorts = Map.of("a", freePort(), "b", freePort());
    int http = freePort();
    List<CompletableFuture<ApplicationContext>> starting = new ArrayList<>();
    for (String id : ids) {
      Map<String, String> c = new LinkedHashMap<>();
      c.put("micronaut.server.port", String.valueOf(id.equals("a") ? http : freePort()));
      c.put("micronaut.server.host", "127.0.0.1");
      c.put("ipa.peer.federation", "bench");
      c.put("ipa.peer.id", id);
      c.put("ipa.peer.listen", "127.0.0.1:" + peerPorts.get(id));
      c.put("ipa.peer.tls-dir", dir.resolve("certs").resolve(id).toString());
      String other = id.equals("a") ? "b" : "a";
      c.put("ipa.peer.peers", other + "=127.0.0.1:" + peerPorts.get(other));
      c.put("ipa.peer.data", "embedded:breast-cancer");
      c.put("ipa.peer.model", model);
      c.put("ipa.peer.checkpoint-dir", dir.resolve("ckpt-" + id).toString());
      c.put("ipa.peer.auto-start", "false");
      c.put("ipa.admin.username", USER);
      c.put("ipa.admin.password", PASSWORD);
      String[] args = c.entrySet().stream().map(e -> "-" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
      starting.add(CompletableFuture.supplyAsync(() -> PeerDaemon.start(args)));
    }
    List<ApplicationContext> daemons = starting.stream().map(CompletableFuture::join).toList();
    try {
      HttpClient client = HttpClient.newHttpClient();
      ObjectMapper json = new ObjectMapper();
      Table t = new Table("batch", "requests", "seconds", "requests/s", "rows/s");
      for (int batch : new int[] {1, 256}) {
        int n = batch == 1 ? requests : Math.max(1, requests / 10);
        String body = json.writeValueAsString(Map.of("records", PredictionBenchmark.records(schema, batch)));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/predict"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        for (int i = 0; i < Math.min(50, n); i++) send(client, request); // warm-up: JIT, connection, predictor
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) send(client, request);
        double s = (System.nanoTime() - t0) / 1e9;
        t.row(batch, String.format("%,d", n), String.format("%.2f", s), String.format("%,.0f", n / s), String.format("%,.0f", (double) n * batch / s));
      }
      o.println("POST /api/predict over loopback (one client, one connection, basic auth on every request):");
      o.print(t);
      o.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      daemons.forEach(ApplicationContext::close);
    }
  }

  private static void send(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("POST /api/predict answered " + r.statusCode() + ": " + r.body());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
