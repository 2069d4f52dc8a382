package dev.ipa.sim.cli;

import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.table.RecordEncoder;
import dev.ipa.onnx.ModelInput;
import dev.ipa.onnx.Predictor;
import dev.ipa.sim.predict.BatchPrediction;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipa model predict MODEL --data new.csv|IMAGE_DIR --out predictions.csv}: the platform's own predictions on
 * new rows or images, written as {@code id, label, p(class)...}. The output appears whole or not at all (it is
 * written beside and renamed).
 */
@Command(name = "predict", description = "Predict new table rows (CSV/TSV) or images (a folder) with a model; write id, label and class probabilities as CSV.")
final class ModelPredictCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "MODEL", description = "A model file written by 'ipa train --export' or a peer.")
  String model;

  @Option(names = "--data", required = true, paramLabel = "CSV|DIR", description = "A CSV/TSV file with a header (for a table model) or a folder of images (for an image model).")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the predictions (CSV).")
  Path out;

  @Option(names = "--schema", paramLabel = "FILE", description = "The table schema the model was trained with, for a model that does not record it.")
  Path schema;

  @Option(names = "--id", paramLabel = "COLUMN", description = "The column holding each row's id. Default: the row's line number.")
  String id;

  @Option(names = "--strict", description = "Stop at the first row or image that cannot be read, instead of reporting and skipping it.")
  boolean strict;

  @Override
  public void run() {
    PackedModel m = ModelCommand.read(model);
    ModelInput input = ModelExportCommand.input(m, model, schema);
    Predictor predictor = new Predictor(m);
    Path abs = out.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    PrintWriter o = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    BatchPrediction.Result r;
    try {
      if (abs.getParent() != null) Files.createDirectories(abs.getParent());
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        r = Files.isDirectory(data) ? images(m, input, predictor, w) : table(input, predictor, w);
      }
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      throw new Ipa.UserError("The data " + data + " does not exist; pass a CSV/TSV file or a folder of images to --data.");
    } catch (IOException e) {
      throw new Ipa.UserError("Could not predict " + data + " into " + out + ": " + e.getMessage() + ".");
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // The rename has happened or the run failed; a leftover .tmp is harmless and names itself.
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    PrintWriter err = spec.commandLine().getErr();
    r.skipped().stream().limit(10).forEach(s -> err.println("Skipped " + s));
    if (r.skipped().size() > 10) err.printf("... and %d more skipped%n", r.skipped().size() - 10);
    err.flush();
    o.printf("Predicted %,d %s in %.2f s (%,.0f per second)%s; wrote %s%n", r.predicted(), Files.isDirectory(data) ? "images" : "rows", seconds,
        r.predicted() / seconds, r.skipped().isEmpty() ? "" : String.format(", skipped %,d that could not be read", r.skipped().size()), out);
    o.flush();
  }

  private BatchPrediction.Result table(ModelInput input, Predictor predictor, BufferedWriter w) throws IOException {
    if (!(input instanceof ModelInput.Tabular t)) {
      throw new Ipa.UserError(model + " is an image model (it records no table schema); pass a folder of images to --data, or --schema if it was trained on a table.");
    }
    long size = Files.size(data);
    char delimiter = delimiter(data);
    try (BufferedReader in = Files.newBufferedReader(data, StandardCharsets.UTF_8); Progress p = Progress.start("predict", size)) {
      return BatchPrediction.table(in, delimiter, data.toString(), new RecordEncoder(t.schema()), predictor, t.classNames(), id, strict, w, p::stepTo);
    }
  }

  private BatchPrediction.Result images(PackedModel m, ModelInput input, Predictor predictor, BufferedWriter w) throws IOException {
    if (input instanceof ModelInput.Tabular) {
      throw new Ipa.UserError(model + " is a table model; pass a CSV/TSV file with its columns to --data, not the folder " + data + ".");
    }
    var a = m.architecture();
    int files = BatchPrediction.imageFiles(data).size();
    try (Progress p = Progress.start("predict", files)) {
      return BatchPrediction.images(data, a.channels(), a.rows(), a.cols(), predictor, input.classNames(), strict, w, p::stepTo);
    }
  }

  /** Tab for .tsv; otherwise the most frequent of , ; and tab in the header line. */
  static char delimiter(Path file) throws IOException {
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tsv")) return '\t';
    String first;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      first = in.readLine();
    }
    if (first == null) throw new Ipa.UserError(file + " is empty; a CSV file needs a header line naming its columns.");
    long comma = first.chars().filter(c -> c == ',').count();
    long semi = first.chars().filter(c -> c == ';').count();
    long tab = first.chars().filter(c -> c == '\t').count();
    if (tab > comma && tab >= semi) return '\t';
    return semi > comma ? ';' : ',';
  }
}
