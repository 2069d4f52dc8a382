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
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
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
 * <p>Stateless; each call owns its predictor's buffers, so callers run one call per predictor at a time. A table
 * call uses one helper thread of its own, ended before it returns.
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
   * Predicts the rows of the CSV text {@code in} (a header line first). Reading and encoding run on a helper
   * thread while the calling thread predicts and writes the batch before, so the two overlap on two cores; rows
   * keep their order.
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
      int[] position = new int[encoder.schema().columns().size()];
      for (int i = 0; i < position.length; i++) position[i] = header.indexOf(encoder.schema().columns().get(i).name());
      int idAt = idColumn == null ? -1 : header.indexOf(idColumn);
      int width = encoder.width();
      List<String> skipped = new ArrayList<>();
      BlockingQueue<Batch> free = new ArrayBlockingQueue<>(3);
      BlockingQueue<Batch> full = new ArrayBlockingQueue<>(3);
      for (int i = 0; i < 3; i++) free.add(new Batch(width));
      Thread reader = new Thread(() -> {
        Batch b = free.remove();
        try {
          for (CSVRecord r : parser) {
            long line = r.getRecordNumber() + 1;
            String problem = null;
            if (r.size() != header.size()) {
              problem = "line " + line + " of " + source + " has " + r.size() + " cells but the header has " + header.size();
            } else {
              try {
                encoder.encodeColumns(i -> r.get(position[i]), b.x, b.n * width);
              } catch (RecordEncoder.RecordException e) {
                problem = "line " + line + " of " + source + ": " + e.getMessage();
              }
            }
            if (problem != null) {
              if (strict) throw new IllegalArgumentException(problem + " (--strict stops at the first bad row; leave it out to skip such rows).");
              skipped.add(problem);
              continue;
            }
            b.ids[b.n++] = idAt < 0 ? Long.toString(line) : r.get(idAt);
            if (b.n == BATCH) {
              b.position = r.getCharacterPosition();
              full.put(b);
              b = free.take();
              b.n = 0;
            }
          }
        } catch (UncheckedIOException e) {
          b.failure = new IllegalArgumentException(source + " is not valid CSV (" + e.getCause().getMessage() + "); fix the quoting near that point.");
        } catch (RuntimeException e) {
          b.failure = e;
        } catch (InterruptedException e) {
          return; // the caller stopped reading: it failed and has its own exception to report
        }
        b.last = true;
        full.add(b);
      }, "ipa-predict-reader");
      reader.setDaemon(true);
      reader.start();
      Output o = new Output(predictor, classes, out);
      try {
        while (true) {
          Batch b = full.take();
          if (b.failure != null) throw b.failure;
          o.write(b);
          progress.accept(b.position);
          if (b.last) break;
          free.put(b);
        }
        return new Result(o.finish(), skipped);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Prediction was interrupted.", e);
      } finally {
        // On failure the reader blocks on its next batch within one batch's work, and the interrupt ends it there.
        reader.interrupt();
        try {
          reader.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
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
    Batch b = new Batch(f);
    Output o = new Output(predictor, classes, out);
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
      b.ids[b.n++] = dir.relativize(file).toString();
      if (b.n == BATCH) {
        o.write(b);
        b.n = 0;
        progress.accept(i + 1);
      }
    }
    o.write(b);
    return new Result(o.finish(), skipped);
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

  /** Up to {@link #BATCH} encoded rows and their ids; handed between the reader and the predicting thread. */
  private static final class Batch {
    final float[] x;
    final String[] ids = new String[BATCH];
    int n;
    long position;
    boolean last;
    RuntimeException failure;

    Batch(int width) {
      x = new float[BATCH * width];
    }
  }

  /** Predicts batches and prints their rows as CSV; owned by one thread. */
  private static final class Output {
    private final Predictor predictor;
    private final List<String> classes;
    private final int[] labels = new int[BATCH];
    private final float[] probabilities;
    private final CSVPrinter printer;
    private long predicted;

    Output(Predictor predictor, List<String> classes, Appendable out) throws IOException {
      this.predictor = predictor;
      this.classes = classes;
      this.probabilities = new float[BATCH * predictor.classes()];
      this.printer = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get());
      printer.printRecord(header(classes));
    }

    void write(Batch b) throws IOException {
      if (b.n == 0) return;
      predictor.predict(b.x, b.n, labels, probabilities);
      int k = classes.size();
      for (int r = 0; r < b.n; r++) {
        printer.print(b.ids[r]);
        printer.print(classes.get(labels[r]));
        for (int c = 0; c < k; c++) printer.print(Float.toString(probabilities[r * k + c]));
        printer.println();
      }
      predicted += b.n;
    }

    /** Flushes the output; returns the rows predicted in all. */
    long finish() throws IOException {
      printer.flush();
      return predicted;
    }
  }
}
