package dev.ipa.alignment.table;

import dev.ipa.alignment.data.DatasetException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import de.siegmar.fastcsv.reader.CommentStrategy;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;

/**
 * Reads a CSV or TSV file into a {@link Table} with FastCSV: a header row of column names, RFC 4180
 * quoting (quoted fields may hold the delimiter, quotes doubled, and line breaks), CRLF or LF line ends, a
 * UTF-8 byte-order mark skipped. The delimiter is {@code ,}, {@code ;} or tab, whichever occurs most often
 * outside quotes in the header line (tab for a {@code .tsv} file).
 *
 * <p>Column types: a column {@code types} pins is read as that type. Every other column is numeric when every
 * non-missing cell of the file is a number ({@link Values#parse}), otherwise categorical; such columns are read
 * as numbers first. One whose first non-missing cell is no number becomes text on the spot; when one turns out
 * not to be a number only after numbers, the file is read a second time with the types now known (the exact
 * cell texts of a categorical column are kept). {@code text} columns (the label, a partition
 * column) are always read as text.
 *
 * <p>Nothing partial is returned: the first bad row stops the read with one sentence naming file and line.
 * Stateless; every call reads the file anew.
 */
public final class CsvTableReader {
  private CsvTableReader() {
  }

  /**
   * Reads {@code file}.
   *
   * @param ignore columns to leave out (must exist)
   * @param text   columns always read as text
   * @param types  pinned column types (a schema's); other columns are inferred
   */
  public static Table read(Path file, Set<String> ignore, Set<String> text, Map<String, TableSchema.ColumnType> types) {
    Supplier<Reader> open = () -> {
      try {
        return new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new DatasetException("The table " + file + " does not exist; check the path given to --data.");
      } catch (IOException e) {
        throw new DatasetException("The table " + file + " cannot be opened (" + e.getMessage() + "); check its permissions.");
      }
    };
    boolean tsv = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".tsv");
    return read(file.toString(), open, tsv, ignore, text, types);
  }

  /** Reads a table from a stream, e.g. a classpath resource; {@code name} labels messages. */
  public static Table read(String name, Supplier<Reader> open, boolean tsv, Set<String> ignore, Set<String> text,
                           Map<String, TableSchema.ColumnType> types) {
    Set<String> flips = new HashSet<>();
    Table t = pass(name, open, tsv, ignore, text, types, flips);
    if (flips.isEmpty()) return t;
    Map<String, TableSchema.ColumnType> known = new HashMap<>(types);
    for (String f : flips) known.put(f, TableSchema.ColumnType.CATEGORICAL);
    return pass(name, open, tsv, ignore, text, known, new HashSet<>());
  }

  private static Table pass(String name, Supplier<Reader> open, boolean tsv, Set<String> ignore, Set<String> text,
                            Map<String, TableSchema.ColumnType> types, Set<String> flips) {
    try (BufferedReader in = new BufferedReader(open.get(), 1 << 16)) {
      in.mark(1);
      if (in.read() != '\uFEFF') in.reset();
      in.mark(1 << 16);
      char delimiter = tsv ? '\t' : detectDelimiter(in.readLine());
      in.reset();
      CsvReader<CsvRecord> csv = CsvReader.builder().fieldSeparator(delimiter).quoteCharacter('"')
          .commentStrategy(CommentStrategy.NONE).skipEmptyLines(true).ignoreDifferentFieldCount(true)
          .acceptCharsAfterQuotes(false).detectBomHeader(false).ofCsvRecord(in);
      try (csv) {
        Iterator<CsvRecord> it = csv.iterator();
        if (!it.hasNext()) {
          throw new DatasetException(name + " is empty; a table needs a header row of column names and at least one data row.");
        }
        List<String> header = new ArrayList<>();
        for (String h : it.next().getFields()) header.add(h.strip());
        checkHeader(name, header, ignore, text, types);
        int width = header.size();
        ColumnBuilder[] builders = new ColumnBuilder[width];
        for (int j = 0; j < width; j++) {
          String h = header.get(j);
          if (ignore.contains(h)) continue;
          boolean asText = text.contains(h) || types.get(h) == TableSchema.ColumnType.CATEGORICAL;
          builders[j] = asText ? new CodeBuilder(h) : new NumberBuilder(h, types.get(h) == TableSchema.ColumnType.NUMERIC);
        }
        int rows = 0;
        RecordPipe pipe = RecordPipe.start(it);
        for (RecordPipe.Batch batch = pipe.take(); batch.size() > 0; batch = pipe.take()) {
          for (int k = 0; k < batch.size(); k++) {
            CsvRecord r = batch.records()[k];
            int fields = r.getFieldCount();
            if (fields != width) {
              pipe.cancel();
              throw new DatasetException(name + ":" + r.getStartingLineNumber() + " has " + fields + " field" + (fields == 1 ? "" : "s")
                  + " but the header has " + width + "; every row needs one value per column (quote values that contain \""
                  + printable(delimiter) + "\")" + (fields < width && r.getField(fields - 1).indexOf('\n') >= 0
                  ? "; a quote opened on this line may never be closed." : "."));
            }
            for (int j = 0; j < width; j++) {
              ColumnBuilder b = builders[j];
              if (b == null) continue;
              String cell = r.getField(j);
              if (!b.add(cell)) {
                NumberBuilder nb = (NumberBuilder) b;
                if (nb.pinned) {
                  pipe.cancel();
                  throw new DatasetException(name + ":" + r.getStartingLineNumber() + ":" + (j + 1) + " holds \"" + cell
                      + "\" in the numeric column " + header.get(j) + ", which is not a number; fix the cell, spell a missing "
                      + "value as empty, NA, NaN, ? or null, or declare the column categorical in the schema.");
                }
                if (nb.allMissing()) {
                  // nothing but missing cells so far: they read the same as text, so no second pass is needed
                  CodeBuilder c = new CodeBuilder(nb.name, nb.n);
                  c.add(cell);
                  builders[j] = c;
                } else {
                  flips.add(header.get(j));
                  builders[j] = new SkippedBuilder();
                }
              }
            }
            rows++;
          }
        }
        if (rows == 0) {
          throw new DatasetException(name + " has a header but no data rows; add rows or point --data at another table.");
        }
        List<Table.Column> cols = new ArrayList<>();
        for (int j = 0; j < width; j++) {
          if (builders[j] != null && !(builders[j] instanceof SkippedBuilder)) cols.add(builders[j].build(rows));
        }
        return new Table(name, rows, cols);
      }
    } catch (CsvParseException e) {
      Throwable why = e.getCause() != null ? e.getCause() : e;
      throw new DatasetException(name + " is not valid CSV (" + e.getMessage() + ": " + why.getMessage()
          + "); close every quoted field with a quote and put nothing between a closing quote and the delimiter.");
    } catch (UncheckedIOException e) {
      throw new DatasetException(name + " cannot be read as CSV (" + e.getCause().getMessage() + "); check the file.");
    } catch (IOException e) {
      throw new DatasetException(name + " cannot be read as CSV (" + e.getMessage() + "); check the file.");
    }
  }

  private static void checkHeader(String name, List<String> header, Set<String> ignore, Set<String> text,
                                  Map<String, TableSchema.ColumnType> types) {
    Set<String> seen = new LinkedHashSet<>();
    for (String h : header) {
      if (h.isEmpty()) {
        throw new DatasetException(name + " has a column without a name in its header row; give every column a name.");
      }
      if (!seen.add(h)) {
        throw new DatasetException(name + " has two columns called " + h + "; give every column a distinct name.");
      }
    }
    for (Set<String> wanted : List.of(ignore, text, types.keySet())) {
      for (String w : wanted) {
        if (!seen.contains(w)) {
          String role = wanted == ignore ? "--ignore" : wanted == text ? "label or partition" : "schema";
          throw new DatasetException("The " + role + " column " + w + " is not in " + name + ", whose columns are "
              + String.join(", ", header) + "; name one of these.");
        }
      }
    }
  }

  /** The most frequent of {@code , ; TAB} outside double quotes in the header line; {@code ,} if none occurs. */
  static char detectDelimiter(String headerLine) {
    if (headerLine == null) return ',';
    int comma = 0;
    int semi = 0;
    int tab = 0;
    boolean quoted = false;
    for (int i = 0; i < headerLine.length(); i++) {
      char c = headerLine.charAt(i);
      if (c == '"') quoted = !quoted;
      else if (!quoted && c == ',') comma++;
      else if (!quoted && c == ';') semi++;
      else if (!quoted && c == '\t') tab++;
    }
    if (tab > comma && tab >= semi) return '\t';
    if (semi > comma) return ';';
    return ',';
  }

  /**
   * FastCSV on its own thread, handing batches of records (each knows the line it starts on) to the converting
   * thread, so the two cores split tokenising and converting. A parse error travels as the batch's error.
   */
  private static final class RecordPipe {
    record Batch(CsvRecord[] records, int size, RuntimeException error) {
    }

    private static final int BATCH = 2048;
    private final java.util.concurrent.ArrayBlockingQueue<Batch> queue = new java.util.concurrent.ArrayBlockingQueue<>(8);
    private volatile boolean cancelled;
    private Thread thread;

    static RecordPipe start(Iterator<CsvRecord> it) {
      RecordPipe p = new RecordPipe();
      p.thread = new Thread(() -> p.produce(it), "ipa-csv-parser");
      p.thread.setDaemon(true);
      p.thread.start();
      return p;
    }

    private void produce(Iterator<CsvRecord> it) {
      RuntimeException error = null;
      try {
        while (!cancelled) {
          CsvRecord[] records = new CsvRecord[BATCH];
          int n = 0;
          while (n < BATCH && it.hasNext()) records[n++] = it.next();
          put(new Batch(records, n, null));
          if (n == 0) return;
        }
      } catch (RuntimeException e) {
        error = e;
      } catch (InterruptedException e) {
        return;
      }
      try {
        put(new Batch(null, 0, error));
      } catch (InterruptedException e) {
        // the reader has gone away
      }
    }

    private void put(Batch b) throws InterruptedException {
      while (!cancelled && !queue.offer(b, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        // wait for the converter, or for cancel()
      }
    }

    /** The next batch; size 0 at the end of the file. Rethrows the parser's error. */
    Batch take() {
      try {
        Batch b = queue.take();
        if (b.error() != null) throw b.error();
        return b;
      } catch (InterruptedException e) {
        cancel();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Reading the table was interrupted.", e);
      }
    }

    void cancel() {
      cancelled = true;
      queue.clear();
    }
  }

  private static String printable(char d) {
    return d == '\t' ? "\\t" : String.valueOf(d);
  }

  private interface ColumnBuilder {
    /** Adds a cell; false when a number column meets a non-number. */
    boolean add(String cell);

    Table.Column build(int rows);
  }

  private static final class SkippedBuilder implements ColumnBuilder {
    @Override
    public boolean add(String cell) {
      return true;
    }

    @Override
    public Table.Column build(int rows) {
      throw new IllegalStateException("A skipped column is never built.");
    }
  }

  private static final class NumberBuilder implements ColumnBuilder {
    final String name;
    final boolean pinned;
    float[] values = new float[1024];
    int n;

    NumberBuilder(String name, boolean pinned) {
      this.name = name;
      this.pinned = pinned;
    }

    @Override
    public boolean add(String cell) {
      float v;
      if (Values.isMissing(cell)) {
        v = Float.NaN;
      } else {
        double d = Values.parse(cell);
        if (Double.isNaN(d)) return false;
        v = (float) d;
        if (!Float.isFinite(v)) return false;
      }
      if (n == values.length) values = Arrays.copyOf(values, n + (n >> 1));
      values[n++] = v;
      return true;
    }

    /** Whether every cell so far was missing (the column may still turn out text without a second pass). */
    boolean allMissing() {
      for (int i = 0; i < n; i++) if (!Float.isNaN(values[i])) return false;
      return true;
    }

    @Override
    public Table.Column build(int rows) {
      return new Table.Numbers(name, n == values.length ? values : Arrays.copyOf(values, n));
    }
  }

  private static final class CodeBuilder implements ColumnBuilder {
    final String name;
    final Map<String, Integer> index = new HashMap<>();
    final List<String> dictionary = new ArrayList<>();
    int[] codes = new int[1024];
    int n;

    CodeBuilder(String name) {
      this.name = name;
    }

    /** Starts with {@code missing} missing cells. */
    CodeBuilder(String name, int missing) {
      this.name = name;
      codes = new int[Math.max(1024, missing + 1024)];
      Arrays.fill(codes, 0, missing, -1);
      n = missing;
    }

    @Override
    public boolean add(String cell) {
      int code;
      if (Values.isMissing(cell)) {
        code = -1;
      } else {
        String v = cell.strip();
        Integer c = index.get(v);
        if (c == null) {
          c = dictionary.size();
          index.put(v, c);
          dictionary.add(v);
        }
        code = c;
      }
      if (n == codes.length) codes = Arrays.copyOf(codes, n + (n >> 1));
      codes[n++] = code;
      return true;
    }

    @Override
    public Table.Column build(int rows) {
      return new Table.Codes(name, n == codes.length ? codes : Arrays.copyOf(codes, n), List.copyOf(dictionary));
    }
  }
}
