package dev.ipa.bench;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.quant.WeightMode;
import dev.ipa.alignment.table.RecordEncoder;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.alignment.table.TableSource;
import dev.ipa.alignment.table.TableStatistics;
import dev.ipa.onnx.ModelInputs;
import dev.ipa.onnx.Predictor;
import dev.ipa.sim.predict.BatchPrediction;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Rows/s of {@code ipa model predict} on a table: the embedded breast-cancer table's rows repeated into a large
 * CSV, predicted by a tabular MLP through the same {@link BatchPrediction} path the command runs (parse, encode,
 * forward pass, write the predictions CSV). The weights are the seeded initialisation: speed does not depend on
 * their values. Not a test: it prints figures.
 */
public final class PredictionBenchmark {
  private PredictionBenchmark() {}

  /** One timed run. */
  public record Result(long rows, double seconds) {
    public double rowsPerSecond() {
      return rows / seconds;
    }
  }

  /** The schema pooled from every row of the embedded table, as one peer holding it all would agree on. */
  public static TableSchema embeddedSchema() {
    TableSource.Rows rows = TableSource.embedded("breast-cancer", TableSource.Options.defaults());
    return TableStatistics.pool(List.of(rows.statistics()));
  }

  /** A {@code spec} model for {@code schema}, carrying it in its provenance. */
  public static PackedModel model(TableSchema schema, String spec) {
    Architecture arch = Architecture.parse(spec, 1, 1, schema.encodedWidth(), schema.classes().size());
    TreeMap<String, String> settings = new TreeMap<>(ModelInputs.settings(schema));
    return PackedModel.pack(Network.create(arch, 1), WeightMode.FLOAT, new ModelProvenance("bench", 0, 1, settings, "bench", new TreeMap<>()));
  }

  /** Writes the embedded table's rows, repeated, until {@code rows} data rows; returns the file's size in bytes. */
  public static long writeRepeated(Path file, long rows) throws IOException {
    List<String> lines = new ArrayList<>();
    try (InputStream in = TableSource.class.getResourceAsStream(TableSource.EMBEDDED_DIR + "breast-cancer.csv");
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String l = r.readLine(); l != null; l = r.readLine()) lines.add(l);
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(lines.get(0));
      w.newLine();
      for (long i = 0; i < rows; i++) {
        w.write(lines.get(1 + (int) (i % (lines.size() - 1))));
        w.newLine();
      }
    }
    return Files.size(file);
  }

  /** Predicts {@code csv} with {@code model} into {@code out}, timed from opening the file to the last line written. */
  public static Result csv(Path csv, PackedModel model, TableSchema schema, Path out) throws IOException {
    Predictor predictor = new Predictor(model);
    long t0 = System.nanoTime();
    BatchPrediction.Result r;
    try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8); BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      r = BatchPrediction.table(in, ',', csv.toString(), new RecordEncoder(schema), predictor, schema.classes(), null, true, w, x -> {});
    }
    return new Result(r.predicted(), (System.nanoTime() - t0) / 1e9);
  }

  /** The embedded table's rows as JSON records (column → number), label left out, cycled to {@code n}. */
  public static List<java.util.Map<String, Object>> records(TableSchema schema, int n) {
    TableSource.Rows rows = TableSource.embedded("breast-cancer", TableSource.Options.defaults());
    List<java.util.Map<String, Object>> out = new ArrayList<>();
    int[] all = rows.train().allRows();
    for (int i = 0; i < n; i++) {
      java.util.Map<String, Object> record = new java.util.LinkedHashMap<>();
      for (TableSchema.Column c : schema.columns()) {
        float v = ((dev.ipa.alignment.table.Table.Numbers) rows.train().column(c.name(), "bench")).values()[all[i % all.length]];
        record.put(c.name(), Float.isNaN(v) ? null : v);
      }
      out.add(record);
    }
    return out;
  }
}
