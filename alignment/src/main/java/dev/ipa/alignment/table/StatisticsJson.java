package dev.ipa.alignment.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@link TableStatistics} as canonical JSON: the payload of the federated-statistics exchange and the sort key
 * of {@link TableStatistics#pool}. Fixed key order, doubles in Java's shortest round-trip form, so equal
 * statistics give equal text and a sum read back is the sum that was sent, bit for bit.
 */
public final class StatisticsJson {
  /** The format tag of a statistics message. */
  public static final String FORMAT = "ipa-table-statistics/1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private StatisticsJson() {
  }

  public static String write(TableStatistics s) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("rows", s.rows());
    root.put("label", s.label());
    ArrayNode classes = root.putArray("classes");
    s.classes().forEach(classes::add);
    ArrayNode cols = root.putArray("columns");
    for (TableStatistics.ColumnStatistics c : s.columns()) {
      ObjectNode o = cols.addObject();
      o.put("name", c.name());
      o.put("type", c.type().name().toLowerCase(Locale.ROOT));
      o.put("count", c.count());
      o.put("missing", c.missing());
      o.put("sum", c.sum());
      o.put("sumSquares", c.sumSquares());
      ArrayNode cats = o.putArray("categories");
      c.categories().forEach(cats::add);
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Statistics could not be written as JSON.", e);
    }
  }

  /**
   * Parses statistics another peer sent.
   *
   * @throws IllegalArgumentException with a sentence when the text is not statistics of this format
   */
  public static TableStatistics parse(String text) {
    try {
      JsonNode root = JSON.readTree(text);
      if (root == null || !FORMAT.equals(root.path("format").asText())) {
        throw new IllegalArgumentException("The message is not " + FORMAT + " statistics; run the same version on every peer.");
      }
      List<TableStatistics.ColumnStatistics> cols = new ArrayList<>();
      for (JsonNode o : root.withArray("columns")) {
        List<String> cats = new ArrayList<>();
        o.withArray("categories").forEach(n -> cats.add(n.asText()));
        cols.add(new TableStatistics.ColumnStatistics(o.path("name").asText(),
            TableSchema.ColumnType.valueOf(o.path("type").asText().toUpperCase(Locale.ROOT)), o.path("count").asLong(),
            o.path("missing").asLong(), o.path("sum").asDouble(), o.path("sumSquares").asDouble(), cats));
      }
      List<String> classes = new ArrayList<>();
      root.withArray("classes").forEach(n -> classes.add(n.asText()));
      return new TableStatistics(root.path("rows").asLong(), cols, root.path("label").asText(), classes);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("The statistics message is not valid JSON (" + e.getOriginalMessage() + ").");
    }
  }
}
