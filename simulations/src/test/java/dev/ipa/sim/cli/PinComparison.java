package dev.ipa.sim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares a short run's report with its golden report and lists every difference, one line each, so a failing pin
 * shows all that moved rather than two JSON blobs.
 */
final class PinComparison {
  /** Largest gap allowed for an accuracy, F1 or gain in [0, 1] when the goldens come from another machine. */
  static final double ACCURACY_TOLERANCE = 0.08;
  /** Largest relative gap allowed for a training loss when the goldens come from another machine. */
  static final double TRAIN_LOSS_TOLERANCE = 0.25;
  /**
   * Largest factor allowed between a test loss and its golden value when the goldens come from another machine: on
   * disjoint shards the global test set is mostly classes a peer never saw, where its loss is large and moves with
   * the last digits of an overconfident logit (43% between an Intel and an AMD machine on a 2-round run).
   */
  static final double TEST_LOSS_FACTOR = 2;
  /** Largest gap allowed for a correlation, which a single flipped test sample can move on 3 peers. */
  static final double CORRELATION_TOLERANCE = 0.6;

  private PinComparison() {}

  /** Every value must be equal. */
  static List<String> exact(JsonNode golden, JsonNode actual) {
    List<String> out = new ArrayList<>();
    walk("", golden, actual, false, out);
    return out;
  }

  /**
   * Structure, text, flags, integers (counts, bytes, rounds) and any decimal this class has no rule for must be
   * equal; accuracies, losses and correlations may move within the tolerances above.
   */
  static List<String> tolerant(JsonNode golden, JsonNode actual) {
    List<String> out = new ArrayList<>();
    walk("", golden, actual, true, out);
    return out;
  }

  /** The CPU model and a digest of its instruction-set flags: what decides which native kernels round how. */
  static String machine() {
    String model = "unknown CPU";
    String flags = "";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
        int colon = line.indexOf(':');
        if (colon < 0) continue;
        String key = line.substring(0, colon).trim();
        if (key.equals("model name") && model.equals("unknown CPU")) model = line.substring(colon + 1).trim();
        if (key.equals("flags") && flags.isEmpty()) flags = String.join(" ", new TreeSet<>(List.of(line.substring(colon + 1).trim().split("\\s+"))));
      }
    } catch (IOException e) {
      model = System.getProperty("os.arch") + " without /proc/cpuinfo";
    }
    return model + ", flags " + digest(flags);
  }

  private static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }

  private static void walk(String path, JsonNode golden, JsonNode actual, boolean tolerant, List<String> out) {
    if (golden.isObject() && actual.isObject()) {
      TreeSet<String> keys = new TreeSet<>();
      golden.fieldNames().forEachRemaining(keys::add);
      actual.fieldNames().forEachRemaining(keys::add);
      for (String key : keys) {
        String at = path + "/" + key;
        if (!golden.has(key)) out.add(at + ": not in the golden report");
        else if (!actual.has(key)) out.add(at + ": missing");
        else walk(at, golden.get(key), actual.get(key), tolerant, out);
      }
    } else if (golden.isArray() && actual.isArray()) {
      if (golden.size() != actual.size()) out.add(path + ": " + actual.size() + " entries, golden " + golden.size());
      Iterator<JsonNode> g = golden.elements();
      Iterator<JsonNode> a = actual.elements();
      for (int i = 0; g.hasNext() && a.hasNext(); i++) walk(path + "/" + i, g.next(), a.next(), tolerant, out);
    } else if (tolerant && golden.isFloatingPointNumber() && actual.isNumber()) {
      double want = golden.doubleValue();
      double got = actual.doubleValue();
      String field = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
      double gap = Math.abs(want - got);
      double allowed = allowedGap(field, want);
      if (field.equals("loss")) {
        gap = Math.max(want, got) / Math.min(want, got);
        allowed = TEST_LOSS_FACTOR;
      }
      if (!(gap <= allowed)) out.add(String.format(Locale.ROOT, "%s: %s, golden %s (allowed %.3g)", path, got, want, allowed));
    } else if (!golden.equals(actual)) {
      out.add(path + ": " + actual + ", golden " + golden);
    }
  }

  private static double allowedGap(String field, double golden) {
    for (Map.Entry<String, Double> rule : Map.of("accuracy", ACCURACY_TOLERANCE, "f1", ACCURACY_TOLERANCE,
        "gain", ACCURACY_TOLERANCE, "pearson", CORRELATION_TOLERANCE).entrySet()) {
      if (field.contains(rule.getKey())) return rule.getValue();
    }
    if (field.contains("loss")) return TRAIN_LOSS_TOLERANCE * Math.abs(golden);
    return 0;
  }
}
