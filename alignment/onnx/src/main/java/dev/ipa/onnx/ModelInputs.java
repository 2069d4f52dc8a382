package dev.ipa.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.table.SchemaJson;
import dev.ipa.alignment.table.TableSchema;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where a model file keeps what its input is: two provenance settings, so the packed file needs no new field.
 * {@value #SCHEMA} holds a table model's schema as canonical JSON ({@link SchemaJson#write}), {@value #CLASSES}
 * an image model's class names as a JSON array. A model with neither takes images whose classes are numbered.
 * Stateless; safe from any thread.
 */
public final class ModelInputs {
  /** The provenance setting holding a table model's schema (canonical JSON). */
  public static final String SCHEMA = "data.schema";
  /** The provenance setting holding an image model's class names (JSON array of strings). */
  public static final String CLASSES = "data.classes";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelInputs() {}

  /** The settings to add to a table model's provenance. */
  public static SortedMap<String, String> settings(TableSchema schema) {
    return new TreeMap<>(Map.of(SCHEMA, SchemaJson.write(schema)));
  }

  /** The settings to add to an image model's provenance. */
  public static SortedMap<String, String> settings(List<String> classNames) {
    try {
      return new TreeMap<>(Map.of(CLASSES, JSON.writeValueAsString(classNames)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A list of strings always has a JSON form.", e);
    }
  }

  /**
   * What {@code model} takes. {@code schema}, when not null, is the schema the caller was given (e.g.
   * {@code --schema}); it must equal the one the model records, if it records one.
   *
   * @throws IllegalArgumentException with one sentence naming the first differing column, or when the recorded
   *                                  settings cannot be read
   */
  public static ModelInput of(PackedModel model, String source, TableSchema schema) {
    Map<String, String> s = model.provenance().settings();
    TableSchema recorded = s.containsKey(SCHEMA) ? SchemaJson.parse(s.get(SCHEMA), source) : null;
    if (recorded != null && schema != null) {
      recorded.firstDifference(schema).ifPresent(d -> {
        throw new IllegalArgumentException("The schema given differs from the one " + source + " was trained with: " + d + ".");
      });
    }
    TableSchema use = schema != null ? schema : recorded;
    if (use != null) return new ModelInput.Tabular(use);
    if (s.containsKey(CLASSES)) {
      try {
        return new ModelInput.Images(JSON.readValue(s.get(CLASSES), new TypeReference<List<String>>() {}));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("The class names recorded in " + source + " are not a JSON list of strings; re-export the model.");
      }
    }
    return new ModelInput.Images(ModelInput.numbered(model.architecture().classes()));
  }
}
