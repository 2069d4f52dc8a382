package dev.ipa.alignment.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipa.alignment.data.DatasetException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link TableSchema} as JSON, the form of {@code --schema FILE} and of {@code ipa data describe --out}.
 * The writer is canonical (fixed key order, numbers as Java's shortest round-trip decimal), so the hash of a
 * schema is the hash of its file's bytes and a schema survives write → read unchanged.
 *
 * <pre>
 * {"format":"ipa-table-schema/1","label":"outcome","classes":["no","yes"],
 *  "columns":[{"name":"age","type":"numeric","mean":51.2,"sd":9.8,"missingIndicator":true},
 *             {"name":"site","type":"categorical","categories":["a","b"]}]}
 * </pre>
 */
public final class SchemaJson {
  /** The format tag every schema file starts with. */
  public static final String FORMAT = "ipa-table-schema/1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemaJson() {
  }

  /** The canonical JSON text of {@code schema}, one line. */
  public static String write(TableSchema schema) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("label", schema.label());
    ArrayNode classes = root.putArray("classes");
    schema.classes().forEach(classes::add);
    ArrayNode cols = root.putArray("columns");
    for (TableSchema.Column c : schema.columns()) {
      ObjectNode o = cols.addObject();
      o.put("name", c.name());
      o.put("type", c.type().name().toLowerCase(Locale.ROOT));
      if (c.type() == TableSchema.ColumnType.NUMERIC) {
        o.put("mean", c.mean());
        o.put("sd", c.sd());
        o.put("missingIndicator", c.missingIndicator());
      } else {
        ArrayNode cats = o.putArray("categories");
        c.categories().forEach(cats::add);
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A schema could not be written as JSON.", e);
    }
  }

  /** Writes {@code schema} to {@code file}, followed by a newline. */
  public static void write(TableSchema schema, Path file) throws IOException {
    Files.writeString(file, write(schema) + "\n");
  }

  /** Reads a schema file; a file that is not one fails with a sentence naming it. */
  public static TableSchema read(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new DatasetException("The schema file " + file + " does not exist; write one with ipa data describe --data FILE --out " + file + ".");
    } catch (IOException e) {
      throw new DatasetException("The schema file " + file + " cannot be read (" + e.getMessage() + "); check its permissions.");
    }
  }

  /** Parses schema JSON; {@code origin} names it in messages. */
  public static TableSchema parse(String text, String origin) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new DatasetException(origin + " is not valid JSON (" + e.getOriginalMessage() + "); write it with ipa data describe --out.");
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new DatasetException(origin + " is not a table schema: it lacks \"format\":\"" + FORMAT + "\"; write it with ipa data describe --out.");
    }
    try {
      List<TableSchema.Column> cols = new ArrayList<>();
      for (JsonNode o : required(root, "columns", origin)) {
        String name = required(o, "name", origin).asText();
        String type = required(o, "type", origin).asText();
        switch (type) {
          case "numeric" -> cols.add(TableSchema.Column.numeric(name, number(o, "mean", origin), number(o, "sd", origin),
              o.path("missingIndicator").asBoolean(false)));
          case "categorical" -> cols.add(TableSchema.Column.categorical(name, strings(required(o, "categories", origin))));
          default -> throw new DatasetException(origin + ": column " + name + " has type " + type + "; use numeric or categorical.");
        }
      }
      return new TableSchema(cols, required(root, "label", origin).asText(), strings(required(root, "classes", origin)));
    } catch (IllegalArgumentException e) {
      throw new DatasetException(origin + " is not a usable schema: " + e.getMessage());
    }
  }

  private static JsonNode required(JsonNode o, String key, String origin) {
    JsonNode n = o.get(key);
    if (n == null || n.isNull()) throw new DatasetException(origin + " lacks the field \"" + key + "\"; write it with ipa data describe --out.");
    return n;
  }

  private static double number(JsonNode o, String key, String origin) {
    JsonNode n = required(o, key, origin);
    if (!n.isNumber()) throw new DatasetException(origin + ": \"" + key + "\" must be a number, got " + n + ".");
    return n.doubleValue();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
