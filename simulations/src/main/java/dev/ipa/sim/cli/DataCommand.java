package dev.ipa.sim.cli;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.table.SchemaJson;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.alignment.table.TableSource;
import dev.ipa.alignment.table.TableStatistics;
import dev.ipa.sim.report.Table;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ipa data ...}: look at a data source before training on it. */
@Command(name = "data", description = "Inspect a data source (tables and IDX).", subcommands = DataCommand.Describe.class)
public final class DataCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code ipa data describe}: rows, each column's type and missing count, the classes and their counts; for a table
   * also the schema its training rows give, which {@code --out} writes for {@code --schema}.
   */
  @Command(name = "describe", description = "Print what a source holds: rows, columns with their types and missing counts, classes and their counts; "
      + "--out writes the table's schema for --schema.")
  public static final class Describe implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin DataOption data;

    @Option(names = "--out", paramLabel = "FILE", description = "Tables: write the schema of the training rows here (JSON), to pin with --schema.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Seeds a single file's test split. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public void run() {
      PrintWriter o = spec.commandLine().getOut();
      if (!data.isTable()) {
        if (out != null) throw new IllegalArgumentException("--out writes a table's schema, but " + data.value() + " is not a table.");
        TrainTest tt = data.load();
        o.println(tt.describe());
        classes(o, tt.train(), tt.test(), null);
        o.flush();
        return;
      }
      TableSource.Rows rows = data.tableRows(seed, null);
      TableStatistics stats = rows.statistics();
      TableSchema pinned = data.pinnedSchema();
      TableSchema schema = pinned != null ? pinned : TableStatistics.pool(List.of(stats));
      o.printf("Table %s: %d rows (%d train, %d test), label %s%n", rows.source(), rows.train() == rows.test() ? rows.train().rows()
          : rows.train().rows() + rows.test().rows(), rows.trainRows().length, rows.testRows().length, rows.label());
      Table t = new Table("column", "type", "present", "missing", "mean", "sd", "categories", "inputs");
      for (TableSchema.Column c : schema.columns()) {
        TableStatistics.ColumnStatistics s = stats.byName().get(c.name());
        boolean numeric = c.type() == TableSchema.ColumnType.NUMERIC;
        String cats = numeric ? "" : c.categories().size() <= 6 ? String.join("|", c.categories()) : c.categories().size() + " values";
        t.row(c.name(), c.type().name().toLowerCase(java.util.Locale.ROOT), s == null ? "-" : s.count(), s == null ? "-" : s.missing(),
            numeric ? String.format("%.4g", c.mean()) : "", numeric ? String.format("%.4g", c.sd()) : "", cats, c.width());
      }
      o.print(t);
      TableSource.Encoded e = rows.encode(schema);
      o.printf("Encoded: %d inputs per row; schema hash %s%n", schema.encodedWidth(), schema.hash());
      classes(o, e.data().train(), e.data().test(), schema.classes());
      e.warnings().forEach(w -> o.println("Warning: " + w));
      if (out != null) {
        try {
          SchemaJson.write(schema, out);
        } catch (IOException ex) {
          throw new UncheckedIOException("Could not write the schema to " + out + ": " + ex.getMessage(), ex);
        }
        o.println("Wrote " + out + "; give it to every peer with --schema " + out + " (or ipa.peer.schema) to skip the statistics exchange.");
      }
      o.flush();
    }

    private static void classes(PrintWriter o, Dataset train, Dataset test, List<String> names) {
      Table t = new Table("class", "train", "test");
      int[] tr = train.classCounts();
      int[] te = test.classCounts();
      for (int k = 0; k < tr.length; k++) t.row(names == null ? String.valueOf(k) : names.get(k), tr[k], k < te.length ? te[k] : 0);
      o.print(t);
    }
  }
}
