package dev.ipa.alignment.table;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Encodes one raw record (column name → cell text) with a {@link TableSchema}, for prediction on rows that arrive
 * one at a time (a CSV read line by line, the daemon's JSON records), where {@link TableEncoder} encodes a whole
 * {@link Table} for training. Both apply the same rules, so a record gives the same floats bit for bit: a
 * numeric cell is read as {@link CsvTableReader} reads it ({@link Values#parse}, then float), standardised as
 * {@code (x - mean) * (1/sd)} in float, a missing one ({@link Values#isMissing} or absent) becomes 0 and sets its
 * indicator; a categorical cell is stripped and one-hot encoded, with the last input for a missing or unseen
 * value.
 *
 * <p>Immutable after construction and safe to share between threads.
 */
public final class RecordEncoder {
  private final TableSchema schema;
  private final List<Map<String, Integer>> slots = new ArrayList<>();

  /** A record that cannot be encoded; the message is one sentence naming the column. */
  public static final class RecordException extends IllegalArgumentException {
    public RecordException(String message) {
      super(message);
    }
  }

  public RecordEncoder(TableSchema schema) {
    this.schema = schema;
    for (TableSchema.Column c : schema.columns()) {
      Map<String, Integer> m = new HashMap<>();
      for (int k = 0; k < c.categories().size(); k++) m.put(c.categories().get(k), k);
      slots.add(m);
    }
  }

  public TableSchema schema() {
    return schema;
  }

  /** Floats per encoded record. */
  public int width() {
    return schema.encodedWidth();
  }

  /** The schema's feature columns that {@code header} lacks, in schema order; empty when it has them all. */
  public List<String> missingColumns(Collection<String> header) {
    Set<String> have = new HashSet<>(header);
    return schema.columns().stream().map(TableSchema.Column::name).filter(n -> !have.contains(n)).toList();
  }

  /**
   * Writes the encoded record into {@code out[offset .. offset + width())}, overwriting every entry.
   *
   * @param cell the raw text of a column, or null when the record has no such cell (counted as missing)
   * @throws RecordException when a numeric column holds something that is not a finite number
   */
  public void encode(Function<String, String> cell, float[] out, int offset) {
    encodeColumns(i -> cell.apply(schema.columns().get(i).name()), out, offset);
  }

  /**
   * As {@link #encode}, with the cells looked up by the schema column's position: {@code cell.apply(i)} is the raw
   * text of {@code schema().columns().get(i)} (a reader that knows where each column sits avoids a name lookup
   * per cell).
   */
  public void encodeColumns(IntFunction<String> cell, float[] out, int offset) {
    int o = offset;
    for (int i = 0; i < schema.columns().size(); i++) {
      TableSchema.Column c = schema.columns().get(i);
      String text = cell.apply(i);
      boolean missing = text == null || Values.isMissing(text);
      if (c.type() == TableSchema.ColumnType.NUMERIC) {
        float v = Float.NaN;
        if (!missing) {
          double d = Values.parse(text);
          v = (float) d;
          if (!Float.isFinite(v)) {
            throw new RecordException("Column " + c.name() + " holds '" + text + "', which is not a finite number; the model's schema makes it numeric.");
          }
        }
        out[o] = missing ? 0f : (v - (float) c.mean()) * (float) (1 / c.sd());
        if (c.missingIndicator()) out[o + 1] = missing ? 1f : 0f;
      } else {
        int k = c.categories().size();
        for (int j = 0; j <= k; j++) out[o + j] = 0f;
        Integer slot = missing ? null : slots.get(i).get(text.strip());
        out[o + (slot == null ? k : slot)] = 1f;
      }
      o += c.width();
    }
  }
}
