package dev.ipa.sim.engine;

import dev.ipa.alignment.model.Metric;
import dev.ipa.sim.report.HtmlReport;
import dev.ipa.sim.report.Reports;
import dev.ipa.sim.report.Table;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/**
 * The same simulation over several seeds (each seed its own split, initialisation and shuffling): per algorithm,
 * the mean ± sample standard deviation over the seeds of each final figure, in the terminal, {@code summary.json},
 * {@code summary.csv}, {@code accuracy.png} (the mean over seeds of each round's mean accuracy) and
 * {@code report.html}. Each seed's full report is in its own {@code seed-N} directory.
 */
public final class SeedSummary {
  private SeedSummary() {}

  /** One seed's results: every algorithm run, and the local-only baseline the fairness figures compare against (or null). */
  public record SeedRun(long seed, Map<String, SimulationResult> results, SimulationResult standalone) {}

  /** A figure of one algorithm over the seeds: mean, sample standard deviation (NaN for one seed), and each seed's value. */
  public record Spread(double mean, double sd, double[] values) {
    static Spread of(double[] values) {
      SummaryStatistics s = new SummaryStatistics();
      for (double v : values) if (!Double.isNaN(v)) s.addValue(v);
      return new Spread(s.getN() == 0 ? Double.NaN : s.getMean(), s.getN() < 2 ? Double.NaN : s.getStandardDeviation(), values);
    }

    /** "0.8601 ± 0.0022", or the mean alone for one value; says how many seeds had a value when some had none. */
    public String text() {
      if (Double.isNaN(mean)) return "-";
      long defined = java.util.Arrays.stream(values).filter(v -> !Double.isNaN(v)).count();
      String t = Double.isNaN(sd) ? SimulationReport.fmt(mean) : SimulationReport.fmt(mean) + " ± " + SimulationReport.fmt(sd);
      return defined < values.length ? t + " (" + defined + " of " + values.length + " seeds)" : t;
    }
  }

  /** The figures the summary gives per algorithm, by name. */
  static Map<String, Spread> figures(List<SeedRun> runs, String algorithm, Metric lead) {
    Map<String, Spread> f = new LinkedHashMap<>();
    f.put("mean " + lead.id(), spread(runs, algorithm, r -> r.mean(lead)));
    f.put("min " + lead.id(), spread(runs, algorithm, r -> r.min(lead)));
    f.put("personal accuracy", spread(runs, algorithm, SimulationResult::meanPersonalAccuracy));
    f.put("pooled personal", spread(runs, algorithm, SimulationResult::pooledPersonalAccuracy));
    f.put("consensus accuracy", spread(runs, algorithm, SimulationResult::meanConsensusAccuracy));
    f.put("bytes per exchange", spread(runs, algorithm, SimulationResult::bytesPerExchange));
    if (runs.stream().allMatch(s -> s.standalone() != null) && !algorithm.equals("local")) {
      List<Map<String, Object>> fair = runs.stream().map(s -> SimulationReport.fairness(s.results().get(algorithm), s.standalone())).toList();
      f.put("fairness pearson", Spread.of(fair.stream().mapToDouble(m -> m.get("pearson") == null ? Double.NaN : (Double) m.get("pearson")).toArray()));
      f.put("mean gain over local", Spread.of(fair.stream().mapToDouble(m -> (Double) m.get("meanGain")).toArray()));
    }
    return f;
  }

  private static Spread spread(List<SeedRun> runs, String algorithm, ToDoubleFunction<SimulationResult> figure) {
    return Spread.of(runs.stream().mapToDouble(s -> figure.applyAsDouble(s.results().get(algorithm))).toArray());
  }

  /** Prints the table and writes the files into {@code dir}; {@code setup} names the run in the chart title. */
  public static void write(Path dir, List<SeedRun> runs, Metric lead, String setup, PrintWriter o) {
    List<String> algorithms = new ArrayList<>(runs.get(0).results().keySet());
    long[] seeds = runs.stream().mapToLong(SeedRun::seed).toArray();
    Map<String, Map<String, Spread>> all = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (String a : algorithms) {
      all.put(a, figures(runs, a, lead));
      for (String n : all.get(a).keySet()) if (!names.contains(n)) names.add(n);
    }
    List<String> head = new ArrayList<>(List.of("algorithm", "seeds"));
    head.addAll(names);
    Table table = new Table(head.toArray(String[]::new));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("seeds", seeds);
    Map<String, Object> perAlgo = new LinkedHashMap<>();
    List<List<Object>> csv = new ArrayList<>();
    Map<String, double[][]> lines = new LinkedHashMap<>();
    for (String a : algorithms) {
      Map<String, Spread> f = all.get(a);
      List<Object> cells = new ArrayList<>(List.of(a, seeds.length));
      Map<String, Object> one = new LinkedHashMap<>();
      for (String n : names) {
        Spread s = f.get(n);
        cells.add(s == null ? "-" : n.equals("bytes per exchange") ? String.format("%.0f", s.mean()) : s.text());
        if (s == null) continue;
        Map<String, Object> sj = new LinkedHashMap<>();
        sj.put("mean", nan(s.mean()));
        sj.put("sd", nan(s.sd()));
        List<Object> each = new ArrayList<>();
        for (double v : s.values()) each.add(nan(v));
        sj.put("perSeed", each);
        one.put(n, sj);
        csv.add(List.of(a, n, SimulationReport.fmt(s.mean()), SimulationReport.fmt(s.sd()), s.values().length));
      }
      table.row(cells.toArray());
      perAlgo.put(a, one);
      lines.put(a + " (mean over seeds)", meanOverSeeds(runs, a));
    }
    json.put("algorithms", perAlgo);
    o.println();
    o.println("Over " + seeds.length + " seeds (" + joined(seeds) + "), mean ± sample standard deviation:");
    o.print(table);
    Reports.writeJson(dir.resolve("summary.json"), json);
    Reports.writeCsv(dir.resolve("summary.csv"), List.of("algorithm", "figure", "mean", "sd", "seeds"), csv);
    Reports.lineChart(dir.resolve("accuracy.png"), "Test accuracy per round, mean over peers and " + seeds.length + " seeds: " + setup,
        "round", "test accuracy", lines);
    HtmlReport html = new HtmlReport("Simulation over seeds " + joined(seeds) + ": " + setup);
    html.image(dir.resolve("accuracy.png"), "Test accuracy per round, the mean over peers and seeds");
    html.heading("Mean ± standard deviation over the seeds").table(table);
    html.paragraph("Each seed's full report (per peer, per round, plots): seed-N/ beside this file.");
    html.write(dir.resolve("report.html"));
    o.println("Wrote " + dir.resolve("summary.json") + ", " + dir.resolve("summary.csv") + ", " + dir.resolve("accuracy.png") + " and "
        + dir.resolve("report.html") + "; each seed's report in " + dir.resolve("seed-N"));
    o.flush();
  }

  /** Per round: the mean over seeds of the mean over peers of the test accuracy (see {@link #meanCarriedForward}). */
  private static double[][] meanOverSeeds(List<SeedRun> runs, String algorithm) {
    List<double[][]> perSeed = new ArrayList<>();
    for (SeedRun run : runs) perSeed.add(SimulationReport.meanSeries(run.results().get(algorithm), Metric.ACCURACY));
    return meanCarriedForward(perSeed);
  }

  /**
   * The mean over seeds at every round some seed evaluated, each seed counted with its latest figure at or before that
   * round, from the first round at which every seed has one. An early stop ends seeds at different rounds, and a
   * stopped seed's model no longer changes, so its last figure stands for the rounds it did not run (with
   * {@code --evaluate-every 20} and a stop, the seeds would otherwise share no round at all).
   *
   * @param perSeed each seed's {@code {rounds, values}}, rounds ascending
   */
  static double[][] meanCarriedForward(List<double[][]> perSeed) {
    java.util.TreeSet<Double> rounds = new java.util.TreeSet<>();
    for (double[][] xy : perSeed) for (double x : xy[0]) rounds.add(x);
    List<double[]> points = new ArrayList<>();
    for (double round : rounds) {
      SummaryStatistics s = new SummaryStatistics();
      for (double[][] xy : perSeed) {
        int at = -1;
        while (at + 1 < xy[0].length && xy[0][at + 1] <= round) at++;
        if (at >= 0) s.addValue(xy[1][at]);
      }
      if (s.getN() == perSeed.size()) points.add(new double[] {round, s.getMean()});
    }
    double[][] xy = new double[2][points.size()];
    for (int i = 0; i < points.size(); i++) {
      xy[0][i] = points.get(i)[0];
      xy[1][i] = points.get(i)[1];
    }
    return xy;
  }

  private static String joined(long[] seeds) {
    StringBuilder b = new StringBuilder();
    for (long s : seeds) b.append(b.length() == 0 ? "" : ", ").append(s);
    return b.toString();
  }

  private static Object nan(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
  }
}
