package dev.ipa.alignment.table;

import dev.ipa.alignment.data.DatasetException;
import dev.ipa.alignment.data.TrainTest;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A tabular data source as the user names it ({@code --data}): a {@code .csv}/{@code .tsv} file, which gets a
 * stratified seeded test split, or a directory holding {@code train.csv} and {@code test.csv}; or a table
 * embedded in this module ({@code embedded:NAME}). {@link #read} gives the raw rows, before the federation's
 * schema exists; {@link Rows#encode} turns them into a {@link TrainTest} once it does.
 *
 * <p>Column types are inferred from the training file (all rows of a single file; train.csv of a directory),
 * and test.csv is read with those types, so a non-number in one of its numeric columns is an error naming
 * file:line:column.
 */
public final class TableSource {
  /** Classpath folder of the embedded tables. */
  public static final String EMBEDDED_DIR = "/dev/ipa/alignment/table/embedded/";
  /** The names {@code embedded:NAME} accepts. */
  public static final List<String> EMBEDDED = List.of("breast-cancer");

  private TableSource() {
  }

  /**
   * How to read a table.
   *
   * @param label        the label column, or null for the last column
   * @param ignore       columns to drop
   * @param testFraction share of a single file's rows held out for testing, stratified by class, in (0, 1)
   * @param seed         seeds the test split
   * @param pinned       a schema pinning column types (--schema), or null
   * @param partitionBy  a column that names each row's peer (--partition by:COLUMN), or null; not a feature
   */
  public record Options(String label, Set<String> ignore, double testFraction, long seed, TableSchema pinned, String partitionBy) {
    public Options {
      ignore = Set.copyOf(ignore);
      if (!(testFraction > 0 && testFraction < 1)) {
        throw new IllegalArgumentException("--test-fraction must lie strictly between 0 and 1, got " + testFraction + ".");
      }
    }

    public static Options defaults() {
      return new Options(null, Set.of(), 0.2, 0, null, null);
    }
  }

  /**
   * A table's rows, split into training and test rows (indices into {@code train} and {@code test}, which are
   * the same table for a single file).
   */
  public record Rows(Table train, int[] trainRows, Table test, int[] testRows, String label, Set<String> exclude, String source) {

    /** This peer's statistics over the given training rows (indices into {@code trainRows}). */
    public TableStatistics statistics(int[] ofTrainRows) {
      int[] r = new int[ofTrainRows.length];
      for (int i = 0; i < r.length; i++) r[i] = trainRows[ofTrainRows[i]];
      return TableStatistics.of(train, r, label, exclude);
    }

    /** Statistics over every training row. */
    public TableStatistics statistics() {
      return TableStatistics.of(train, trainRows, label, exclude);
    }

    /**
     * The training label of each training row as an index into the sorted training classes, for partitioners
     * (the same indices the encoded set carries once the schema is pooled from all of these rows).
     */
    public int[] labelIndices() {
      Table.Codes y = TableStatistics.labelColumn(train, label);
      Set<String> classes = new TreeSet<>();
      for (int r : trainRows) classes.add(y.value(r));
      List<String> sorted = Values.sorted(classes);
      Map<String, Integer> idx = new HashMap<>();
      for (int k = 0; k < sorted.size(); k++) idx.put(sorted.get(k), k);
      int[] out = new int[trainRows.length];
      for (int i = 0; i < out.length; i++) out[i] = idx.get(y.value(trainRows[i]));
      return out;
    }

    /** The value of {@code column} in each training row (null where missing), for {@code by:COLUMN}. */
    public String[] valuesOf(String column) {
      Table.Column c = train.column(column, "partition");
      String[] out = new String[trainRows.length];
      for (int i = 0; i < out.length; i++) out[i] = ((Table.Codes) c).value(trainRows[i]);
      return out;
    }

    /** Encodes training and test rows with the federation's schema; warns about test classes training lacks. */
    public Encoded encode(TableSchema schema) {
      TableEncoder.Encoded tr = TableEncoder.encode(source + " (train)", train, trainRows, schema);
      TableEncoder.Encoded te = TableEncoder.encode(source + " (test)", test, testRows, schema);
      List<String> warnings = new ArrayList<>();
      String w = TableEncoder.unknownClassWarning(te, "The test data of " + source);
      if (w != null) warnings.add(w);
      if (te.dataset().count() == 0) {
        throw new DatasetException("None of the test rows of " + source + " has a class the training rows have; check --label.");
      }
      return new Encoded(new TrainTest(tr.dataset(), te.dataset(), source), schema, warnings);
    }
  }

  /** Encoded data, the schema it was encoded with, and warnings to print. */
  public record Encoded(TrainTest data, TableSchema schema, List<String> warnings) {
  }

  /** Whether {@code data} names a table: a .csv/.tsv file, a directory with train.csv, or embedded:NAME. */
  public static boolean isTable(String data) {
    if (data == null) return false;
    if (data.startsWith("embedded:")) return true;
    Path p = Path.of(data);
    String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".csv") || n.endsWith(".tsv") || (Files.isDirectory(p) && Files.isRegularFile(p.resolve("train.csv")));
  }

  /** Reads the source {@code data} names (see {@link #isTable}). */
  public static Rows read(String data, Options o) {
    if (data.startsWith("embedded:")) return embedded(data.substring("embedded:".length()), o);
    Path p = Path.of(data);
    if (Files.isDirectory(p)) {
      Path train = p.resolve("train.csv");
      Path test = p.resolve("test.csv");
      if (!Files.isRegularFile(test)) {
        throw new DatasetException("The directory " + p + " holds train.csv but no test.csv; add one, or pass the single file "
            + train + " to get a seeded test split.");
      }
      Table tr = CsvTableReader.read(train, o.ignore(), textColumns(train.toString(), peekHeader(train), o), types(o));
      String label = labelOf(tr, o);
      Map<String, TableSchema.ColumnType> known = new HashMap<>(types(o));
      for (Table.Column c : tr.columns()) {
        if (!c.name().equals(label) && !c.name().equals(o.partitionBy())) {
          known.put(c.name(), c instanceof Table.Numbers ? TableSchema.ColumnType.NUMERIC : TableSchema.ColumnType.CATEGORICAL);
        }
      }
      Table te = CsvTableReader.read(test, o.ignore(), textColumns(test.toString(), peekHeader(test), o), known);
      if (!te.names().equals(tr.names())) {
        throw new DatasetException(test + " has the columns " + te.names() + " but " + train + " has " + tr.names()
            + "; give both files the same header.");
      }
      return rows(tr, tr.allRows(), te, te.allRows(), label, o, p.toString());
    }
    if (!Files.isRegularFile(p)) {
      throw new DatasetException("The table " + p + " does not exist; pass a .csv or .tsv file, or a directory holding train.csv and test.csv.");
    }
    Table t = CsvTableReader.read(p, o.ignore(), textColumns(p.toString(), peekHeader(p), o), types(o));
    return split(t, o, p.toString());
  }

  /** An embedded table by name, split like a single file. */
  public static Rows embedded(String name, Options o) {
    if (!EMBEDDED.contains(name)) {
      throw new DatasetException("There is no embedded table called " + name + "; the embedded tables are " + EMBEDDED + ".");
    }
    String resource = EMBEDDED_DIR + name + ".csv";
    java.util.function.Supplier<java.io.Reader> open = () -> {
      InputStream in = TableSource.class.getResourceAsStream(resource);
      if (in == null) throw new DatasetException("The embedded table " + resource + " is missing from the class path; rebuild the jar.");
      return new InputStreamReader(in, StandardCharsets.UTF_8);
    };
    List<String> header;
    try (var r = new java.io.BufferedReader(open.get())) {
      header = List.of(r.readLine().split(","));
    } catch (java.io.IOException e) {
      throw new DatasetException("The embedded table " + resource + " cannot be read (" + e.getMessage() + "); rebuild the jar.");
    }
    Table t = CsvTableReader.read("embedded:" + name, open, false, o.ignore(), textColumns(name, header, o), types(o));
    return split(t, o, "embedded:" + name);
  }

  private static Rows split(Table t, Options o, String source) {
    String label = labelOf(t, o);
    Table.Codes y = TableStatistics.labelColumn(t, label);
    Map<Integer, List<Integer>> byClass = new java.util.TreeMap<>();
    for (int r = 0; r < t.rows(); r++) {
      if (y.codes()[r] < 0) {
        throw new DatasetException(source + " has a row (data row " + (r + 1) + ") without a value in the label column " + label
            + "; fill in every label or remove those rows.");
      }
      byClass.computeIfAbsent(y.codes()[r], k -> new ArrayList<>()).add(r);
    }
    Random rnd = new Random(o.seed() * 0x9E3779B97F4A7C15L + 13);
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (List<Integer> rows : byClass.values()) {
      java.util.Collections.shuffle(rows, rnd);
      int k = rows.size() < 2 ? 0 : (int) Math.min(rows.size() - 1, Math.round(o.testFraction() * rows.size()));
      test.addAll(rows.subList(0, k));
      train.addAll(rows.subList(k, rows.size()));
    }
    return rows(t, sortedArray(train), t, sortedArray(test), label, o, source);
  }

  private static Rows rows(Table train, int[] trainRows, Table test, int[] testRows, String label, Options o, String source) {
    Set<String> exclude = o.partitionBy() == null ? Set.of() : Set.of(o.partitionBy());
    if (label.equals(o.partitionBy())) {
      throw new DatasetException("The column " + label + " cannot be both the label and the partition column; pick another for --partition by:.");
    }
    if (testRows.length == 0) {
      throw new DatasetException(source + " has too few rows for a test split (" + trainRows.length + "); add rows or give train.csv and test.csv.");
    }
    return new Rows(train, trainRows, test, testRows, label, exclude, source);
  }

  private static int[] sortedArray(Collection<Integer> c) {
    return c.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  private static String labelOf(Table t, Options o) {
    if (o.label() != null) return o.label();
    return t.names().get(t.names().size() - 1);
  }

  private static Map<String, TableSchema.ColumnType> types(Options o) {
    Map<String, TableSchema.ColumnType> m = new HashMap<>();
    if (o.pinned() != null) {
      for (TableSchema.Column c : o.pinned().columns()) m.put(c.name(), c.type());
    }
    return m;
  }

  /** The label (given, or the last column not ignored) and the partition column, read as text. */
  private static Set<String> textColumns(String name, List<String> header, Options o) {
    Set<String> text = new HashSet<>();
    if (o.label() != null) {
      if (!header.contains(o.label())) {
        throw new DatasetException("The label column " + o.label() + " is not in " + name + ", whose columns are "
            + String.join(", ", header) + "; pass one of these to --label.");
      }
      text.add(o.label());
    } else {
      for (int j = header.size() - 1; j >= 0; j--) {
        if (!o.ignore().contains(header.get(j))) {
          text.add(header.get(j));
          break;
        }
      }
    }
    if (o.partitionBy() != null) text.add(o.partitionBy());
    return text;
  }

  /** The header's column names, parsed with the same reader settings (quotes, BOM, delimiter). */
  private static List<String> peekHeader(Path file) {
    try (var in = new java.io.BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
      String line = in.readLine();
      if (line == null) throw new DatasetException(file + " is empty; a table needs a header row of column names and at least one data row.");
      if (line.startsWith("\uFEFF")) line = line.substring(1);
      boolean tsv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tsv");
      char d = tsv ? '\t' : CsvTableReader.detectDelimiter(line);
      List<String> out = new ArrayList<>();
      try (var p = org.apache.commons.csv.CSVParser.parse(line, org.apache.commons.csv.CSVFormat.RFC4180.builder().setDelimiter(d).get())) {
        for (var r : p) r.forEach(h -> out.add(h.strip()));
      }
      return out;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new DatasetException("The table " + file + " does not exist; check the path given to --data.");
    } catch (java.io.IOException e) {
      throw new DatasetException("The table " + file + " cannot be read (" + e.getMessage() + "); check the file.");
    }
  }
}
