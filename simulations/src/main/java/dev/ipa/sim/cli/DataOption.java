package dev.ipa.sim.cli;

import dev.ipa.alignment.data.FashionMnist;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.table.SchemaJson;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.alignment.table.TableSource;
import dev.ipa.alignment.table.TableStatistics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The {@code --data} option shared by every command that reads a data set, and the table options beside it.
 * {@code --data} names a CSV/TSV table (a {@code .csv}/{@code .tsv} file, a directory with {@code train.csv} and
 * {@code test.csv}, or {@code embedded:NAME}) or an IDX directory. Without it, data is looked up in $IPA_DATA,
 * then /usr/share/datasets/fashion-mnist, then the embedded subset; {@code --data embedded} picks the embedded
 * Fashion-MNIST subset explicitly.
 */
public final class DataOption {
  @Option(
      names = "--data",
      paramLabel = "SOURCE",
      description = "A table (FILE.csv, FILE.tsv, a directory with train.csv and test.csv, or embedded:breast-cancer), an IDX "
          + "data directory, or 'embedded' for the bundled Fashion-MNIST subset. "
          + "Default: $IPA_DATA, then /usr/share/datasets/fashion-mnist, then the embedded subset.")
  String data;

  @Option(names = "--label", paramLabel = "COLUMN", description = "Tables: the label column. Default: the last column.")
  String label;

  @Option(names = "--ignore", paramLabel = "COLUMNS", split = ",", description = "Tables: columns to drop, e.g. --ignore id,date.")
  List<String> ignore = new ArrayList<>();

  @Option(names = "--test-fraction", defaultValue = "0.2", description = "Tables: share of a single file's rows held out for testing, "
      + "stratified by class and seeded by --seed. Default: ${DEFAULT-VALUE}.")
  double testFraction;

  @Option(names = "--schema", paramLabel = "FILE", description = "Tables: a schema file (ipa data describe --out) pinning column types, "
      + "statistics, categories and classes; given the same file on every peer, it replaces the federated-statistics exchange.")
  Path schema;

  private final List<String> warnings = new ArrayList<>();
  private TableSchema loadedSchema;

  /** Whether {@code --data} names a table. */
  public boolean isTable() {
    return TableSource.isTable(data);
  }

  /** The pinned schema ({@code --schema}), or null. */
  public TableSchema pinnedSchema() {
    return schema == null ? null : SchemaJson.read(schema);
  }

  /** The table's rows, split into training and test rows with {@code seed}; {@code partitionBy} is not a feature. */
  public TableSource.Rows tableRows(long seed, String partitionBy) {
    Set<String> ig = new LinkedHashSet<>();
    for (String s : ignore) if (!s.isBlank()) ig.add(s.strip());
    return TableSource.read(data, new TableSource.Options(label, ig, testFraction, seed, pinnedSchema(), partitionBy));
  }

  /** Loads the data for one peer: an IDX set, or a table encoded with its own rows' schema (or --schema). */
  public TrainTest load() {
    return load(0);
  }

  /** As {@link #load()}, with {@code seed} seeding a table's test split. */
  public TrainTest load(long seed) {
    if (isTable()) {
      TableSource.Rows rows = tableRows(seed, null);
      TableSchema pinned = pinnedSchema();
      TableSchema s = pinned != null ? pinned : TableStatistics.pool(List.of(rows.statistics()));
      TableSource.Encoded e = rows.encode(s);
      warnings.addAll(e.warnings());
      loadedSchema = s;
      return e.data();
    }
    if ("embedded".equals(data)) return FashionMnist.embedded();
    return FashionMnist.fromEnvironment().load(data == null ? null : Path.of(data));
  }

  /** Warnings the last load produced (test classes the training rows lack), to print. */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** The schema the last table load encoded with, or null for images. */
  public TableSchema loadedSchema() {
    return loadedSchema;
  }

  /** A short name for chart titles, e.g. "Fashion-MNIST (embedded subset)" or "Table (embedded:breast-cancer)". */
  static String shortName(TrainTest tt) {
    if (tt.train().isTable()) return "Table (" + tt.source() + ")";
    return "Fashion-MNIST (" + tt.source().replaceFirst(" \\(.*", "").replaceFirst("^the ", "") + ")";
  }

  public String value() {
    return data;
  }
}
