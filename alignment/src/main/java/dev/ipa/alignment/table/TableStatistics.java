package dev.ipa.alignment.table;

import dev.ipa.alignment.data.DatasetException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one peer tells the federation about its training rows before round 0, and never more: per feature
 * column its type, the count of present and of missing cells, and for a numeric column the sum and the sum of
 * squares, for a categorical one the distinct values it holds; the distinct label classes; the row count. No
 * row, no per-category count and no extreme value leaves the peer. {@link #pool} turns every peer's statistics
 * into the one {@link TableSchema}.
 *
 * @param rows    number of training rows
 * @param columns feature columns in file order
 * @param label   the label column
 * @param classes the label values present, sorted
 */
public record TableStatistics(long rows, List<ColumnStatistics> columns, String label, List<String> classes) {

  /**
   * One column's aggregates.
   *
   * @param type       the local type, from the peer's own rows (a column without any value is numeric: untyped)
   * @param count      cells present
   * @param missing    cells missing
   * @param sum        sum of the present values (numeric; 0 otherwise)
   * @param sumSquares sum of their squares (numeric; 0 otherwise)
   * @param categories distinct values present, sorted (categorical; empty otherwise)
   */
  public record ColumnStatistics(String name, TableSchema.ColumnType type, long count, long missing, double sum,
                                 double sumSquares, List<String> categories) {
    public ColumnStatistics {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      categories = List.copyOf(categories);
      if (count < 0 || missing < 0 || !Double.isFinite(sum) || !Double.isFinite(sumSquares) || sumSquares < 0) {
        throw new IllegalArgumentException("The statistics of column " + name + " are not valid (count " + count + ", missing "
            + missing + ", sum " + sum + ", sum of squares " + sumSquares + ").");
      }
    }
  }

  public TableStatistics {
    columns = List.copyOf(columns);
    Objects.requireNonNull(label, "label");
    classes = List.copyOf(classes);
    if (rows < 0) throw new IllegalArgumentException("A row count must be ≥ 0, got " + rows + ".");
  }

  /**
   * The statistics of {@code rows} of {@code table}: every column except the label and those in {@code exclude}
   * (a partition column) is a feature.
   */
  public static TableStatistics of(Table table, int[] rows, String label, Set<String> exclude) {
    Table.Codes y = labelColumn(table, label);
    Set<String> classes = new TreeSet<>();
    for (int r : rows) {
      String v = y.value(r);
      if (v == null) {
        throw new DatasetException(table.source() + " has a row without a value in the label column " + label
            + "; fill in every label or remove those rows.");
      }
      classes.add(v);
    }
    List<ColumnStatistics> cols = new ArrayList<>();
    for (Table.Column c : table.columns()) {
      if (c.name().equals(label) || exclude.contains(c.name())) continue;
      if (c instanceof Table.Numbers num) {
        long count = 0;
        double sum = 0;
        double sq = 0;
        float[] v = num.values();
        for (int r : rows) {
          float x = v[r];
          if (!Float.isNaN(x)) {
            count++;
            sum += x;
            sq += (double) x * x;
          }
        }
        cols.add(new ColumnStatistics(c.name(), TableSchema.ColumnType.NUMERIC, count, rows.length - count, sum, sq, List.of()));
      } else {
        Table.Codes codes = (Table.Codes) c;
        boolean[] seen = new boolean[codes.dictionary().size()];
        long count = 0;
        for (int r : rows) {
          int k = codes.codes()[r];
          if (k >= 0) {
            seen[k] = true;
            count++;
          }
        }
        List<String> present = new ArrayList<>();
        for (int k = 0; k < seen.length; k++) if (seen[k]) present.add(codes.dictionary().get(k));
        cols.add(new ColumnStatistics(c.name(), TableSchema.ColumnType.CATEGORICAL, count, rows.length - count, 0, 0,
            Values.sorted(present)));
      }
    }
    return new TableStatistics(rows.length, cols, label, Values.sorted(classes));
  }

  static Table.Codes labelColumn(Table table, String label) {
    Table.Column c = table.column(label, "label");
    if (!(c instanceof Table.Codes codes)) {
      throw new IllegalStateException("The label column " + label + " was read as numbers; read it as text.");
    }
    return codes;
  }

  /**
   * The federation's schema from every peer's statistics (this peer's included). Deterministic and independent of
   * the order of {@code all}: statistics are sorted by their canonical JSON before any sum, so every peer holding
   * the same set computes bit-identical means and sds. Categories and classes are the sorted unions.
   *
   * @throws DatasetException when peers disagree on the columns or the label, a column's type differs between
   *                          peers, a column is missing in every row, or the label has fewer than two classes
   */
  public static TableSchema pool(Collection<TableStatistics> all) {
    if (all.isEmpty()) throw new IllegalArgumentException("Pooling needs at least one peer's statistics.");
    List<TableStatistics> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparing(StatisticsJson::write));
    TableStatistics first = sorted.get(0);
    for (TableStatistics s : sorted) {
      if (!s.label.equals(first.label)) {
        throw new DatasetException("One peer's label column is " + first.label + " and another's is " + s.label
            + "; give every peer the same --label.");
      }
      if (!s.names().equals(first.names())) {
        throw new DatasetException("One peer's feature columns are " + first.names() + " and another's are " + s.names()
            + "; give every peer tables with the same columns (or the same --ignore).");
      }
    }
    List<TableSchema.Column> cols = new ArrayList<>();
    for (int j = 0; j < first.columns.size(); j++) {
      String name = first.columns.get(j).name();
      TableSchema.ColumnType type = null;
      long count = 0;
      long missing = 0;
      double sum = 0;
      double sq = 0;
      Set<String> categories = new TreeSet<>();
      for (TableStatistics s : sorted) {
        ColumnStatistics c = s.columns.get(j);
        if (c.count() > 0) {
          if (type != null && type != c.type()) {
            throw new DatasetException("Column " + name + " holds only numbers at one peer and text at another; pin it as "
                + "categorical in a schema file (ipa data describe --out schema.json, then --schema on every peer).");
          }
          type = c.type();
        }
        count += c.count();
        missing += c.missing();
        sum += c.sum();
        sq += c.sumSquares();
        categories.addAll(c.categories());
      }
      if (count == 0) {
        throw new DatasetException("Column " + name + " is missing in every training row; leave it out with --ignore " + name + ".");
      }
      if (type == TableSchema.ColumnType.NUMERIC) {
        double mean = sum / count;
        double var = Math.max(0, sq / count - mean * mean);
        double sd = Math.sqrt(var);
        cols.add(TableSchema.Column.numeric(name, mean, sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1, missing > 0));
      } else {
        cols.add(TableSchema.Column.categorical(name, Values.sorted(categories)));
      }
    }
    Set<String> classes = new TreeSet<>();
    for (TableStatistics s : sorted) classes.addAll(s.classes);
    if (classes.size() < 2) {
      throw new DatasetException("The label column " + first.label + " has only " + (classes.isEmpty() ? "no class"
          : "one class (" + classes.iterator().next() + ")") + " in the training rows; a classifier needs at least two, so check --label.");
    }
    return new TableSchema(cols, first.label, Values.sorted(classes));
  }

  /** The feature column names in order. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (ColumnStatistics c : columns) out.add(c.name());
    return out;
  }

  /** Column name → statistics, in order; for describing a table. */
  public Map<String, ColumnStatistics> byName() {
    Map<String, ColumnStatistics> out = new LinkedHashMap<>();
    for (ColumnStatistics c : columns) out.put(c.name(), c);
    return out;
  }
}
