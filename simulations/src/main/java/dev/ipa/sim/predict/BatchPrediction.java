package dev.ipa.sim.predict;

import dev.ipa.alignment.data.DatasetException;
import dev.ipa.alignment.data.ImageFiles;
import dev.ipa.alignment.table.RecordEncoder;
import dev.ipa.onnx.Predictor;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Predicts every row of a table or every image of a folder with the platform's own {@link Predictor}, in batches,
 * and writes one CSV line per prediction: {@code id, label, p(class 0), ..., p(class K-1)}. Rows stream through
 * (a batch at a time), so a file larger than memory works. A row or image that cannot be read is reported with
 * its line (or file) and skipped, or ends the run when {@code strict}.
 *
 * <p>Stateless; each call owns its predictor's buffers, so callers run one call per predictor at a time.
 */
public final class BatchPrediction {
  /** Rows per forward pass: large enough that BLAS dominates, small enough to stay in cache-sized buffers. */
  public static final int BATCH = 1024;

  private BatchPrediction() {}

  /** What a run did: rows predicted, and the problems of the rows it skipped (one sentence each). */
  public record Result(long predicted, List<String> skipped) {}

  /** The CSV header of the predictions: {@code id}, {@code label}, then {@code p(NAME)} per class. */
  public static List<String> header(List<String> classes) {
    List<String> h = new ArrayList<>(List.of("id", "label"));
    for (String c : classes) h.add("p(" + c + ")");
    return h;
  }

  /**
   * Predicts the rows of the CSV text {@code in} (a header line first).
   *
   * @param source   names the input in messages
   * @param idColumn the column whose value is each row's id, or null to use the row's line number
   * @param progress receives the character position reached, after each batch
   */
  public static Result table(Reader in, char delimiter, String source, RecordEncoder encoder, Predictor predictor, List<String> classes,
      String idColumn, boolean strict, Appendable out, LongConsumer progress) throws IOException {
    CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setHeader().setSkipHeaderRecord(true).setIgnoreSurroundingSpaces(false).get();
    try (CSVParser parser = CSVParser.parse(in, format)) {
      List<String> header = parser.getHeaderNames();
      List<String> lacking = encoder.missingColumns(header);
      if (!lacking.isEmpty()) {
        throw new IllegalArgumentException(source + " lacks the column" + (lacking.size() == 1 ? " " : "s ") + String.join(", ", lacking)
            + ", which the model's schema needs; add " + (lacking.size() == 1 ? "it" : "them") + " (empty cells count as missing).");
      }
      if (idColumn != null && !header.contains(idColumn)) {
        throw new IllegalArgumentException(source + " has no column " + idColumn + " for --id; its columns are " + header + ".");
      }
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < header.size(); i++) index.put(header.get(i), i);
      int width = encoder.width();
      Batches b = new Batches(predictor, width, classes, out);
      List<String> skipped = new ArrayList<>();
      for (CSVRecord r : parser) {
        long line = r.getRecordNumber() + 1;
        String problem = null;
        if (r.size() != header.size()) {
          problem = "line " + line + " of " + source + " has " + r.size() + " cells but the header has " + header.size();
        } else {
          try {
            encoder.encode(name -> r.get(index.get(name)), b.x, b.n * width);
          } catch (RecordEncoder.RecordException e) {
            problem = "line " + line + " of " + source + ": " + e.getMessage();
          }
        }
        if (problem != null) {
          if (strict) throw new IllegalArgumentException(problem + " (--strict stops at the first bad row; leave it out to skip such rows).");
          skipped.add(problem);
          continue;
        }
        if (b.add(idColumn == null ? Long.toString(line) : r.get(index.get(idColumn)))) progress.accept(r.getCharacterPosition());
      }
      return new Result(b.finish(), skipped);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(source + " is not valid CSV (" + e.getCause().getMessage() + "); fix the quoting near that point.");
    }
  }

  /**
   * Predicts every image file under {@code dir} (recursively, in path order); an image's id is its path relative
   * to {@code dir}. Images are converted to the model's channels and resized to its size as in training.
   *
   * @param progress receives the number of files done, after each batch
   */
  public static Result images(Path dir, int channels, int height, int width, Predictor predictor, List<String> classes, boolean strict,
      Appendable out, LongConsumer progress) throws IOException {
    List<Path> files = imageFiles(dir);
    int f = channels * height * width;
    Batches b = new Batches(predictor, f, classes, out);
    List<String> skipped = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      byte[] px;
      try {
        px = ImageFiles.pixels(file, channels, height, width);
      } catch (DatasetException e) {
        if (strict) throw new IllegalArgumentException(e.getMessage() + " (--strict stops at the first unreadable image).");
        skipped.add(e.getMessage());
        continue;
      }
      for (int j = 0; j < f; j++) b.x[b.n * f + j] = (px[j] & 0xFF) / 255f;
      if (b.add(dir.relativize(file).toString())) progress.accept(i + 1);
    }
    return new Result(b.finish(), skipped);
  }

  /** The image files under {@code dir}, sorted by path; one sentence when there are none. */
  public static List<Path> imageFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> files = s.filter(Files::isRegularFile).filter(ImageFiles::isImage).sorted().toList();
      if (files.isEmpty()) {
        throw new IllegalArgumentException(dir + " holds no PNG, JPEG, BMP or GIF image; point --data at a folder of images or a CSV file.");
      }
      return files;
    }
  }

  /** One batch of inputs being filled ({@code x}, {@code n} rows so far), predicted and printed when full. */
  private static final class Batches {
    final float[] x;
    int n;
    private final Predictor predictor;
    private final List<String> classes;
    private final int[] labels = new int[BATCH];
    private final float[] probabilities;
    private final String[] ids = new String[BATCH];
    private final CSVPrinter printer;
    private long predicted;

    Batches(Predictor predictor, int width, List<String> classes, Appendable out) throws IOException {
      this.predictor = predictor;
      this.classes = classes;
      this.x = new float[BATCH * width];
      this.probabilities = new float[BATCH * predictor.classes()];
      this.printer = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get());
      printer.printRecord(header(classes));
    }

    /** Takes the row just written at {@code x[n]}; returns true when that filled the batch and it was printed. */
    boolean add(String id) throws IOException {
      ids[n++] = id;
      if (n < BATCH) return false;
      flush();
      return true;
    }

    /** Prints what is left; returns the rows predicted in all. */
    long finish() throws IOException {
      flush();
      printer.flush();
      return predicted;
    }

    private void flush() throws IOException {
      if (n == 0) return;
      predictor.predict(x, n, labels, probabilities);
      int k = classes.size();
      for (int r = 0; r < n; r++) {
        printer.print(ids[r]);
        printer.print(classes.get(labels[r]));
        for (int c = 0; c < k; c++) printer.print(Float.toString(probabilities[r * k + c]));
        printer.println();
      }
      predicted += n;
      n = 0;
    }
  }
}
