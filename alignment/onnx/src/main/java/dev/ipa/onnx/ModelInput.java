package dev.ipa.onnx;

import dev.ipa.alignment.table.TableSchema;
import java.util.List;
import java.util.Objects;

/**
 * What an exported model takes and which names its classes have: images, or the rows of a table whose
 * preprocessing (the federation's {@link TableSchema}) goes inside the graph.
 */
public sealed interface ModelInput {

  /** The class names, in class-index order; the exported {@code label} output holds these strings. */
  List<String> classNames();

  /**
   * Images as one NCHW float tensor named {@code image}, each value a pixel scaled to {@code [0, 1]} (byte / 255),
   * channels in R, G, B order for colour images.
   *
   * @param classNames one name per class (e.g. the image folder's sub-folder names)
   */
  record Images(List<String> classNames) implements ModelInput {
    public Images {
      classNames = List.copyOf(classNames);
    }
  }

  /**
   * Table rows as one input per raw feature column, named by the column: {@code float [N, 1]} for a numeric
   * column (NaN meaning missing) and {@code string [N, 1]} for a categorical one (any value outside the schema's
   * categories, including a missing value, counts as unknown). Class names are the schema's classes.
   */
  record Tabular(TableSchema schema) implements ModelInput {
    public Tabular {
      Objects.requireNonNull(schema, "schema");
    }

    @Override
    public List<String> classNames() {
      return schema.classes();
    }
  }

  /** Class names {@code 0 .. classes-1}, for data whose classes have no names. */
  public static List<String> numbered(int classes) {
    return java.util.stream.IntStream.range(0, classes).mapToObj(Integer::toString).toList();
  }
}
