package dev.ipa.sim.engine;

import dev.ipa.alignment.model.Metric;
import dev.ipa.sim.report.HtmlReport;
import dev.ipa.sim.report.Reports;
import dev.ipa.sim.report.Table;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns simulation results into what a person reads: a per-peer table and a fairness summary in the terminal,
 * {@code report.json}, {@code rounds.csv} and {@code accuracy.png} in the run directory.
 */
public final class SimulationReport {
  private SimulationReport() {}

  /** Writes everything for one or more algorithms run on the same setup. */
  public static void write(Path dir, SimulationConfig config, Map<String, SimulationResult> results, SimulationResult standalone, PrintWriter o) {
    write(dir, config, null, results, standalone, o);
  }

  /**
   * Writes everything for one or more algorithms run on the same setup; {@code data} names the data set in the
   * chart titles and {@code report.html} (null: not named).
   */
  public static void write(Path dir, SimulationConfig config, String data, Map<String, SimulationResult> results, SimulationResult standalone,
      PrintWriter o) {
    String setup = (data == null ? "" : data + ", ") + config.peers() + (config.peers() == 1 ? " peer, " : " peers, ") + config.partition()
        + ", weights " + config.weights();
    write(dir, configJson(config, results.keySet()), config.metric(), "Simulation: " + setup, setup, results, standalone, o);
  }

  /**
   * Writes everything for results that did not come from a {@link SimulationConfig} (a federation's peers
   * collected over their admin APIs): {@code configJson} is the report's {@code config} object, {@code lead} the
   * metric the tables lead with, {@code title}
   * heads report.html and {@code setup} names the run in the chart title.
   */
  public static void write(Path dir, Map<String, Object> configJson, Metric lead, String title, String setup, Map<String, SimulationResult> results,
      SimulationResult standalone, PrintWriter o) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("config", configJson);
    Map<String, Map<String, Object>> perAlgo = new LinkedHashMap<>();
    List<List<Object>> csv = new ArrayList<>();
    Map<String, double[][]> lines = new LinkedHashMap<>();
    Map<String, double[][]> metricLines = new LinkedHashMap<>();
    List<Metric> others = otherMetrics(lead, results.values());
    List<String> head = new ArrayList<>(List.of("algorithm", "mean " + lead.label(), "min " + lead.label(), "personal acc", "consensus acc"));
    for (Metric m : others) head.add("mean " + m.label());
    head.addAll(List.of("bytes sent", "vs fp32", "B/exchange", "exchange vs fp32", "rounds", "seconds"));
    Table summary = new Table(head.toArray(String[]::new));
    for (Map.Entry<String, SimulationResult> e : results.entrySet()) {
      SimulationResult r = e.getValue();
      Map<String, Object> one = resultJson(r, standalone);
      perAlgo.put(e.getKey(), one);
      for (List<SimulationResult.PeerRound> row : r.rounds()) {
        for (SimulationResult.PeerRound pr : row) {
          if (pr == null) continue;
          csv.add(List.of(e.getKey(), pr.round() + 1, pr.id(), fmt(pr.accuracy()), fmt(pr.personalAccuracy()), fmt(pr.loss()),
              fmt(pr.validationAccuracy()), fmt(pr.trainLoss()), pr.bytesSent(), pr.snapshotsSent(), pr.failures(), pr.maxStaleness(), pr.frozen(), pr.stopped(),
              fmt(pr.balancedAccuracy()), fmt(pr.macroF1()), fmt(pr.auc()), Double.isNaN(pr.epsilon()) ? "" : pr.epsilon(),
              fmt(pr.consensusAccuracy()), fmt(pr.consensusPersonalAccuracy()), fmt(pr.mixAccuracy())));
        }
      }
      if (results.size() == 1) {
        for (int p = 0; p < r.peers().size(); p++) lines.put(r.peers().get(p).id(), series(r, p));
      } else {
        lines.put(e.getKey() + " (mean)", meanSeries(r, false));
        if (r != standalone) lines.put(e.getKey() + " personal (mean)", meanSeries(r, true));
        if (hasOwnConsensus(r)) lines.put(e.getKey() + " consensus (mean)", meanSeries(r, SimulationResult.PeerRound::consensusAccuracy));
      }
      if (results.size() == 1 && hasOwnConsensus(r)) lines.put("consensus (mean)", meanSeries(r, SimulationResult.PeerRound::consensusAccuracy));
      if (results.size() == 1) {
        metricLines.put(lead.id() + " (mean)", meanSeries(r, lead));
        for (Metric m : others) metricLines.put(m.id() + " (mean)", meanSeries(r, m));
      } else {
        metricLines.put(e.getKey() + " " + lead.id() + " (mean)", meanSeries(r, lead));
      }
      long fullBytes = r.fp32Bytes();
      List<Object> cells = new ArrayList<>(List.of(e.getKey(), fmt(r.mean(lead)), fmt(r.min(lead)), fmt(r.meanPersonalAccuracy()), fmt(r.meanConsensusAccuracy())));
      for (Metric m : others) cells.add(fmt(r.mean(m)));
      cells.addAll(List.of(human(r.totalBytesSent()),
          fullBytes == 0 ? "-" : String.format("1/%.1f", (double) fullBytes / Math.max(1, r.totalBytesSent())),
          r.bytesPerExchange() == 0 ? "-" : String.format("%.0f", r.bytesPerExchange()),
          r.bytesPerExchange() == 0 ? "-" : String.format("1/%.1f", r.fp32BytesPerSnapshot() / r.bytesPerExchange()), r.roundsRun(), String.format("%.0f", r.seconds())));
      summary.row(cells.toArray());
    }
    if (results.size() == 1) {
      SimulationResult only = results.values().iterator().next();
      json.putAll(perAlgo.values().iterator().next());
      o.println();
      o.print(peerTable(only, standalone, lead));
    } else {
      json.put("algorithms", perAlgo);
      if (standalone != null) json.put("fairness", fairness(results.values().stream().filter(r -> r != standalone).findFirst().orElse(standalone), standalone));
    }
    o.println();
    o.print(summary);
    if (standalone != null) {
      for (Map.Entry<String, SimulationResult> e : results.entrySet()) {
        if (e.getValue() == standalone) continue;
        Map<String, Object> f = fairness(e.getValue(), standalone);
        Object rho = f.get("pearson");
        o.printf("Fairness (%s): Pearson ρ between standalone and federated accuracy = %s; mean gain %s%n", e.getKey(),
            rho == null ? "undefined (no spread)" : fmt((Double) rho), fmt((Double) f.get("meanGain")));
      }
    }
    Reports.writeJson(dir.resolve("report.json"), json);
    Reports.writeCsv(dir.resolve("rounds.csv"), List.of("algorithm", "round", "peer", "accuracy", "personalAccuracy", "loss", "validationAccuracy",
        "trainLoss", "bytesSent", "snapshotsSent", "failures", "maxStaleness", "frozen", "stopped", "balancedAccuracy", "macroF1", "auc", "epsilon",
        "consensusAccuracy", "consensusPersonalAccuracy", "mixAccuracy"), csv);
    // The local-only baseline, when it was computed, so the gain can be read off the chart.
    if (standalone != null && !results.containsKey("local")) lines.put("local-only (mean)", meanSeries(standalone, false));
    Reports.lineChart(dir.resolve("accuracy.png"), "Test accuracy per round: " + setup, "round", "test accuracy", lines);
    String metricsTitle = results.size() == 1 ? "Test metrics per round (mean over peers)" : "Test " + lead.id() + " per round (mean over peers)";
    // A metric nobody measured (a daemon reports accuracy only) has no points and no line.
    metricLines.values().removeIf(series -> series[0].length == 0);
    Reports.lineChart(dir.resolve("metrics.png"), metricsTitle + ": " + setup, "round", results.size() == 1 ? "metric" : lead.id(), metricLines);
    HtmlReport html = new HtmlReport(title);
    html.keyValues(configJson);
    html.image(dir.resolve("accuracy.png"), "Test accuracy per round (global; 'personal' is each peer's own local test split; 'consensus' is the"
        + " data-size weighted mean of the latest snapshots for IPA, the global model for Ditto and FedAvg + fine-tuning)");
    if (results.size() == 1) html.heading("Per peer").table(peerTable(results.values().iterator().next(), standalone, lead));
    html.image(dir.resolve("metrics.png"), metricsTitle + "; 'balanced-accuracy' is the mean recall per class, 'macro-f1' the mean F1 per class"
        + (others.contains(Metric.AUC) || lead == Metric.AUC ? ", 'auc' the ROC AUC of the two-class problem" : ""));
    html.heading("Summary").table(summary);
    if (standalone != null) {
      Table f = new Table("algorithm", "Pearson ρ (standalone vs federated)", "mean gain over local-only");
      for (Map.Entry<String, SimulationResult> e : results.entrySet()) {
        if (e.getValue() == standalone) continue;
        Map<String, Object> fr = fairness(e.getValue(), standalone);
        f.row(e.getKey(), fr.get("pearson") == null ? "undefined (no spread)" : fmt((Double) fr.get("pearson")), fmt((Double) fr.get("meanGain")));
      }
      html.heading("Fairness").table(f);
    }
    html.paragraph("Per-round figures of every peer: rounds.csv and report.json beside this file.");
    html.write(dir.resolve("report.html"));
    o.println("Wrote " + dir.resolve("report.json") + ", " + dir.resolve("rounds.csv") + ", " + dir.resolve("accuracy.png") + ", " + dir.resolve("metrics.png")
        + " and " + dir.resolve("report.html"));
    o.flush();
  }


  /** The metrics shown beside {@code lead}, in their declared order: AUC only when some result has it (two classes). */
  static List<Metric> otherMetrics(Metric lead, java.util.Collection<SimulationResult> results) {
    boolean auc = results.stream().anyMatch(r -> !Double.isNaN(r.mean(Metric.AUC)));
    List<Metric> out = new ArrayList<>();
    for (Metric m : Metric.values()) if (m != lead && (m != Metric.AUC || auc)) out.add(m);
    return out;
  }

  private static Table peerTable(SimulationResult r, SimulationResult standalone, Metric lead) {
    String l = lead.label();
    List<String> head = new ArrayList<>(List.of("peer", "shard", "classes", "standalone " + l, "federated " + l, "gain", "personal acc"));
    if (lead != Metric.ACCURACY) head.add("federated acc");
    head.add("bytes sent");
    // ε spent, with differential privacy only: the same table as before without it.
    List<SimulationResult.PeerRound> last = r.finalRound();
    boolean dp = last.stream().anyMatch(pr -> !Double.isNaN(pr.epsilon()));
    if (dp) head.add("ε spent");
    Table t = new Table(head.toArray(String[]::new));
    List<SimulationResult.PeerRound> alone = standalone == null ? null : standalone.finalRound();
    for (int p = 0; p < r.peers().size(); p++) {
      SimulationResult.PeerInfo info = r.peers().get(p);
      SimulationResult.PeerRound pr = last.get(p);
      double sa = alone == null ? Double.NaN : alone.get(p).metric(lead);
      long bytes = 0;
      for (List<SimulationResult.PeerRound> row : r.rounds()) if (row.get(p) != null) bytes += row.get(p).bytesSent();
      List<Object> cells = new ArrayList<>(List.of(info.id(), info.shardSize(), classes(info.classes()), fmt(sa), fmt(pr.metric(lead)),
          signed(pr.metric(lead) - sa), fmt(pr.personalAccuracy())));
      if (lead != Metric.ACCURACY) cells.add(fmt(pr.accuracy()));
      cells.add(human(bytes));
      if (dp) cells.add(fmt(pr.epsilon()));
      t.row(cells.toArray());
    }
    return t;
  }

  private static Map<String, Object> configJson(SimulationConfig c, java.util.Set<String> algorithms) {
    Map<String, Object> m = new LinkedHashMap<>();
    var f = c.federation();
    m.put("algorithms", new ArrayList<>(algorithms));
    m.put("peers", c.peers());
    m.put("partition", c.partition().toString());
    m.put("model", c.model());
    m.put("weights", c.weights());
    m.put("metric", c.metric().id());
    m.put("classWeights", c.classWeighting().toString());
    m.put("batch", c.batch());
    m.put("learningRate", c.learningRate());
    m.put("protocol", f.common().protocol().name().toLowerCase());
    m.put("lambda", f.ipa().lambda());
    m.put("distance", f.ipa().distance().name().toLowerCase());
    m.put("peerWeights", f.ipa().weighting().name().toLowerCase());
    m.put("normalise", f.ipa().normalise());
    m.put("extrapolate", f.ipa().extrapolate());
    m.put("mix", f.ipa().mix());
    m.put("fairShare", f.ipa().fairShare());
    m.put("mu", f.fedProx().mu());
    m.put("syncs", f.common().syncs());
    m.put("topology", f.common().topology().toString());
    m.put("rounds", f.common().rounds());
    m.put("earlyStop", f.common().earlyStop().toString());
    m.put("codec", f.common().codec().codec().toString());
    m.put("seed", f.common().seed());
    m.put("drop", c.faults().dropRate());
    m.put("latencyMs", c.faults().latency().toMillis());
    return m;
  }

  private static Map<String, Object> resultJson(SimulationResult r, SimulationResult standalone) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> rounds = new ArrayList<>();
    for (List<SimulationResult.PeerRound> row : r.rounds()) {
      Map<String, Object> rr = new LinkedHashMap<>();
      rr.put("round", row.stream().filter(x -> x != null).findFirst().map(x -> x.round() + 1).orElse(0));
      List<Object> ps = new ArrayList<>();
      for (SimulationResult.PeerRound pr : row) {
        if (pr == null) continue;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", pr.id());
        p.put("accuracy", nan(pr.accuracy()));
        p.put("personalAccuracy", nan(pr.personalAccuracy()));
        p.put("loss", nan(pr.loss()));
        p.put("validationAccuracy", nan(pr.validationAccuracy()));
        p.put("trainLoss", nan(pr.trainLoss()));
        p.put("bytesSent", pr.bytesSent());
        p.put("failures", pr.failures());
        p.put("maxStaleness", pr.maxStaleness());
        p.put("frozen", pr.frozen());
        p.put("stopped", pr.stopped());
        if (!Double.isNaN(pr.epsilon())) p.put("epsilon", pr.epsilon()); // only with DP: older reports stay as they were
        p.put("balancedAccuracy", nan(pr.balancedAccuracy()));
        p.put("macroF1", nan(pr.macroF1()));
        if (!Double.isNaN(pr.auc())) p.put("auc", pr.auc()); // two classes only
        p.put("consensusAccuracy", nan(pr.consensusAccuracy()));
        p.put("consensusPersonalAccuracy", nan(pr.consensusPersonalAccuracy()));
        p.put("mixAccuracy", nan(pr.mixAccuracy()));
        ps.add(p);
      }
      rr.put("peers", ps);
      rounds.add(rr);
    }
    m.put("rounds", rounds);
    Map<String, Object> fin = new LinkedHashMap<>();
    fin.put("meanAccuracy", nan(r.meanAccuracy()));
    fin.put("minAccuracy", nan(r.minAccuracy()));
    fin.put("meanPersonalAccuracy", nan(r.meanPersonalAccuracy()));
    fin.put("pooledPersonalAccuracy", nan(r.pooledPersonalAccuracy()));
    fin.put("meanConsensusAccuracy", nan(r.meanConsensusAccuracy()));
    fin.put("meanConsensusPersonalAccuracy", nan(r.meanConsensusPersonalAccuracy()));
    fin.put("meanBalancedAccuracy", nan(r.mean(Metric.BALANCED_ACCURACY)));
    fin.put("meanMacroF1", nan(r.mean(Metric.MACRO_F1)));
    if (!Double.isNaN(r.mean(Metric.AUC))) fin.put("meanAuc", r.mean(Metric.AUC));
    fin.put("bytesSent", r.totalBytesSent());
    fin.put("fp32Bytes", r.fp32Bytes());
    fin.put("bytesPerExchange", r.bytesPerExchange());
    fin.put("fp32BytesPerExchange", r.fp32BytesPerSnapshot());
    fin.put("compressionRatio", r.totalBytesSent() == 0 ? null : (double) r.fp32Bytes() / r.totalBytesSent());
    fin.put("roundsRun", r.roundsRun());
    fin.put("seconds", r.seconds());
    m.put("final", fin);
    m.put("stops", r.stops());
    if (standalone != null) m.put("fairness", fairness(r, standalone));
    return m;
  }

  /** Per peer: shard, classes, standalone and federated accuracy, gain; across peers: Pearson ρ. */
  static Map<String, Object> fairness(SimulationResult r, SimulationResult standalone) {
    List<SimulationResult.PeerRound> fed = r.finalRound();
    List<SimulationResult.PeerRound> alone = standalone.finalRound();
    double[] x = new double[fed.size()];
    double[] y = new double[fed.size()];
    List<Object> peers = new ArrayList<>();
    double gain = 0;
    for (int p = 0; p < fed.size(); p++) {
      x[p] = alone.get(p).accuracy();
      y[p] = fed.get(p).accuracy();
      gain += y[p] - x[p];
      Map<String, Object> m = new LinkedHashMap<>();
      SimulationResult.PeerInfo info = r.peers().get(p);
      m.put("id", info.id());
      m.put("shardSize", info.shardSize());
      m.put("testSize", info.testSize());
      m.put("classes", info.classes());
      m.put("standaloneAccuracy", x[p]);
      m.put("federatedAccuracy", y[p]);
      m.put("gain", y[p] - x[p]);
      m.put("standalonePersonalAccuracy", alone.get(p).personalAccuracy());
      m.put("federatedPersonalAccuracy", fed.get(p).personalAccuracy());
      peers.add(m);
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("peers", peers);
    f.put("pearson", nan(pearson(x, y)));
    f.put("meanGain", gain / Math.max(1, fed.size()));
    return f;
  }

  /** Pearson correlation; NaN when either side has no variance (e.g. two peers with identical accuracy). */
  public static double pearson(double[] x, double[] y) {
    int n = x.length;
    if (n < 2) return Double.NaN;
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
  }

  private static double[][] series(SimulationResult r, int p) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (List<SimulationResult.PeerRound> row : r.rounds()) {
      SimulationResult.PeerRound pr = row.get(p);
      if (pr != null && !Double.isNaN(pr.accuracy())) {
        xs.add(pr.round() + 1.0);
        ys.add(pr.accuracy());
      }
    }
    return new double[][] {xs.stream().mapToDouble(d -> d).toArray(), ys.stream().mapToDouble(d -> d).toArray()};
  }

  private static double[][] meanSeries(SimulationResult r, boolean personal) {
    return personal ? meanSeries(r, SimulationResult.PeerRound::personalAccuracy) : meanSeries(r, Metric.ACCURACY);
  }

  static double[][] meanSeries(SimulationResult r, Metric m) {
    return meanSeries(r, pr -> pr.metric(m));
  }

  /** Whether some evaluated round's consensus differs from the model itself (IPA, Ditto, FedAvg + fine-tuning). */
  private static boolean hasOwnConsensus(SimulationResult r) {
    return r.rounds().stream().flatMap(List::stream).anyMatch(pr -> pr != null && !Double.isNaN(pr.consensusAccuracy())
        && Double.compare(pr.consensusAccuracy(), pr.accuracy()) != 0);
  }

  private static double[][] meanSeries(SimulationResult r, java.util.function.ToDoubleFunction<SimulationResult.PeerRound> figure) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (List<SimulationResult.PeerRound> row : r.rounds()) {
      double s = 0;
      int n = 0;
      int round = -1;
      for (SimulationResult.PeerRound pr : row) {
        double a = pr == null ? Double.NaN : figure.applyAsDouble(pr);
        if (!Double.isNaN(a)) {
          s += a;
          n++;
          round = pr.round();
        }
      }
      if (n > 0) {
        xs.add(round + 1.0);
        ys.add(s / n);
      }
    }
    return new double[][] {xs.stream().mapToDouble(d -> d).toArray(), ys.stream().mapToDouble(d -> d).toArray()};
  }

  private static Object nan(double v) {
    return Double.isNaN(v) ? null : v;
  }

  static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.4f", v);
  }

  private static String signed(double v) {
    return Double.isNaN(v) ? "-" : String.format("%+.4f", v);
  }

  private static String classes(int[] c) {
    if (c.length == 0) return "";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < c.length; i++) {
      int j = i;
      while (j + 1 < c.length && c[j + 1] == c[j] + 1) j++;
      if (b.length() > 0) b.append(',');
      b.append(c[i]);
      if (j > i) b.append('-').append(c[j]);
      i = j;
    }
    return b.toString();
  }

  public static String human(long bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return String.format("%.1f KiB", bytes / 1024.0);
    if (bytes < 1024L * 1024 * 1024) return String.format("%.1f MiB", bytes / 1024.0 / 1024);
    return String.format("%.2f GiB", bytes / 1024.0 / 1024 / 1024);
  }
}
