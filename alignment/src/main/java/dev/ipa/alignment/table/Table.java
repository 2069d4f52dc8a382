package dev.ipa.alignment.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A table read into memory column by column: a numeric column as floats (NaN where missing), any other as
 * integer codes into its own dictionary of the texts it holds (-1 where missing). This is what a reader
 * produces and what statistics and encoding read; it knows nothing of schemas or models.
 *
 * <p>Immutable after construction (the arrays are owned and never written), so it may be shared between threads.
 */
public final class Table {

  /** One column's values. */
  public sealed interface Column permits Numbers, Codes {
    String name();

    boolean missing(int row);
  }

  /** A numeric column: {@code values[row]}, NaN where the cell was missing. */
  public record Numbers(String name, float[] values) implements Column {
    @Override
    public boolean missing(int row) {
      return Float.isNaN(values[row]);
    }
  }

  /** A text column: {@code dictionary.get(codes[row])}, code -1 where the cell was missing. */
  public record Codes(String name, int[] codes, List<String> dictionary) implements Column {
    @Override
    public boolean missing(int row) {
      return codes[row] < 0;
    }

    /** The cell text of {@code row}, or null when missing. */
    public String value(int row) {
      int c = codes[row];
      return c < 0 ? null : dictionary.get(c);
    }
  }

  private final String source;
  private final int rows;
  private final List<Column> columns;

  /**
   * @param source  where the rows came from, for messages (a file name)
   * @param rows    the number of rows; every column holds exactly that many
   * @param columns in file order, ignored columns left out
   */
  public Table(String source, int rows, List<Column> columns) {
    this.source = Objects.requireNonNull(source, "source");
    this.rows = rows;
    this.columns = List.copyOf(columns);
    for (Column c : this.columns) {
      int n = c instanceof Numbers num ? num.values().length : ((Codes) c).codes().length;
      if (n != rows) throw new IllegalArgumentException("Column " + c.name() + " of " + source + " holds " + n + " rows, not " + rows + ".");
    }
  }

  public String source() {
    return source;
  }

  public int rows() {
    return rows;
  }

  public List<Column> columns() {
    return columns;
  }

  public List<String> names() {
    List<String> out = new ArrayList<>(columns.size());
    for (Column c : columns) out.add(c.name());
    return out;
  }

  /** The column called {@code name}, or a sentence that names it and lists the columns there are. */
  public Column column(String name, String role) {
    for (Column c : columns) {
      if (c.name().equals(name)) return c;
    }
    throw new dev.ipa.alignment.data.DatasetException("The " + role + " column " + name + " is not in " + source
        + ", whose columns are " + String.join(", ", names()) + "; name one of these.");
  }

  /** All row indices, 0..rows-1. */
  public int[] allRows() {
    int[] out = new int[rows];
    for (int i = 0; i < rows; i++) out[i] = i;
    return out;
  }
}
