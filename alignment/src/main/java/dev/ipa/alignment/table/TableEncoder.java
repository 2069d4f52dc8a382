package dev.ipa.alignment.table;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.data.DatasetException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns rows of a {@link Table} into the model's inputs with a {@link TableSchema}, in the order the schema's
 * Javadoc draws: numeric columns standardised with the pooled mean and sd (a missing cell becomes the mean, 0,
 * and sets its missing indicator), categorical columns one-hot with a last {@code unknown} input for a missing
 * cell or a value the federation never saw. Labels become class indices.
 *
 * <p>Pure: reads the table, writes a new float matrix, keeps no state.
 */
public final class TableEncoder {
  private TableEncoder() {
  }

  /**
   * The encoded rows, and what could not be encoded: rows whose label is not one of the schema's classes
   * (test rows of a class the training data lacks) are left out and counted per class.
   */
  public record Encoded(Dataset dataset, Map<String, Integer> unknownClasses) {
  }

  public static Encoded encode(String name, Table table, int[] rows, TableSchema schema) {
    int width = schema.encodedWidth();
    Table.Codes y = TableStatistics.labelColumn(table, schema.label());
    Map<String, Integer> classIndex = new HashMap<>();
    for (int k = 0; k < schema.classes().size(); k++) classIndex.put(schema.classes().get(k), k);
    int[] labelOf = new int[y.dictionary().size()];
    for (int k = 0; k < labelOf.length; k++) labelOf[k] = classIndex.getOrDefault(y.dictionary().get(k), -1);

    Map<String, Integer> unknown = new java.util.TreeMap<>();
    int[] kept = new int[rows.length];
    int n = 0;
    for (int r : rows) {
      int code = y.codes()[r];
      if (code < 0) {
        throw new DatasetException(table.source() + " has a row without a value in the label column " + schema.label()
            + "; fill in every label or remove those rows.");
      }
      if (labelOf[code] < 0) unknown.merge(y.dictionary().get(code), 1, Integer::sum);
      else kept[n++] = r;
    }
    float[] x = new float[Math.multiplyExact(n, width)];
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) labels[i] = (byte) labelOf[y.codes()[kept[i]]];

    int offset = 0;
    for (TableSchema.Column c : schema.columns()) {
      Table.Column col = table.column(c.name(), "schema");
      if (c.type() == TableSchema.ColumnType.NUMERIC) {
        if (!(col instanceof Table.Numbers num)) {
          throw new DatasetException("Column " + c.name() + " of " + table.source() + " holds text, but the federation's schema "
              + "says it is numeric; fix the table or the schema.");
        }
        float[] v = num.values();
        float mean = (float) c.mean();
        float inv = (float) (1 / c.sd());
        boolean ind = c.missingIndicator();
        for (int i = 0, o = offset; i < n; i++, o += width) {
          float val = v[kept[i]];
          boolean miss = Float.isNaN(val);
          x[o] = miss ? 0f : (val - mean) * inv;
          if (ind && miss) x[o + 1] = 1f;
        }
      } else {
        if (!(col instanceof Table.Codes codes)) {
          throw new IllegalStateException("Column " + c.name() + " was read as numbers but the schema makes it categorical; "
              + "read the table with the schema's types.");
        }
        int unknownSlot = c.categories().size();
        Map<String, Integer> slot = new HashMap<>();
        for (int k = 0; k < c.categories().size(); k++) slot.put(c.categories().get(k), k);
        int[] slotOf = new int[codes.dictionary().size()];
        for (int k = 0; k < slotOf.length; k++) slotOf[k] = slot.getOrDefault(codes.dictionary().get(k), unknownSlot);
        int[] cc = codes.codes();
        for (int i = 0, o = offset; i < n; i++, o += width) {
          int code = cc[kept[i]];
          x[o + (code < 0 ? unknownSlot : slotOf[code])] = 1f;
        }
      }
      offset += c.width();
    }
    Dataset d = Dataset.adoptFeatures(name, width, schema.classes().size(), x, labels);
    return new Encoded(d, unknown);
  }

  /** A warning for test rows whose class the training data lacks, or null when there are none. */
  public static String unknownClassWarning(Encoded e, String where) {
    if (e.unknownClasses().isEmpty()) return null;
    int rows = e.unknownClasses().values().stream().mapToInt(Integer::intValue).sum();
    return where + " holds class" + (e.unknownClasses().size() == 1 ? " " : "es ") + String.join(", ", new TreeSet<>(e.unknownClasses().keySet()))
        + ", which the training data lacks; its " + rows + " row" + (rows == 1 ? " is" : "s are") + " left out of the evaluation.";
  }
}
