package dev.ipa.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.quant.WeightMode;
import dev.ipa.alignment.table.TableSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** JSON-like records of a table model: numbers, strings, null and absent columns, as the daemon receives them. */
class RecordPredictionTest {
  static final TableSchema SCHEMA = new TableSchema(List.of(TableSchema.Column.numeric("age", 40, 12, true),
      TableSchema.Column.categorical("colour", List.of("blue", "red"))), "y", List.of("no", "yes"));

  static PackedModel model() {
    Network net = Network.create(Architecture.parse("mlp:8", 1, 1, SCHEMA.encodedWidth(), 2), 3);
    TreeMap<String, String> settings = new TreeMap<>(ModelInputs.settings(SCHEMA));
    return PackedModel.pack(net, WeightMode.FLOAT, new ModelProvenance("a", 1, 3, settings, "test", new TreeMap<>()));
  }

  @Test
  void recordsOfEveryJsonKindAreEncodedAsTheSchemaSays() {
    PackedModel m = model();
    Map<String, Object> absent = new HashMap<>();
    Map<String, Object> nulls = new HashMap<>();
    nulls.put("age", null);
    nulls.put("colour", null);
    List<Map<String, Object>> records = List.of(Map.of("age", 52, "colour", "red"), Map.of("age", "29.5", "colour", "green"), absent, nulls);
    List<RecordPrediction.Prediction> got = new RecordPrediction(m, "test").predict(records);

    float[][] encoded = {{(52f - 40f) * (float) (1 / 12.0), 0, 0, 1, 0}, {(29.5f - 40f) * (float) (1 / 12.0), 0, 0, 0, 1},
        {0, 1, 0, 0, 1}, {0, 1, 0, 0, 1}};
    INDArray x = Nd4j.create(DataType.FLOAT, 4, 5);
    for (int r = 0; r < 4; r++) for (int c = 0; c < 5; c++) x.putScalar(r, c, encoded[r][c]);
    int[] labels = new int[4];
    float[] p = new float[8];
    m.toNetwork().predict(x, 4, labels, p);
    for (int r = 0; r < 4; r++) {
      assertThat(got.get(r).label()).isEqualTo(SCHEMA.classes().get(labels[r]));
      assertThat(got.get(r).probabilities()).containsExactly(p[2 * r], p[2 * r + 1]);
    }
  }

  @Test
  void aBadValueNamesTheRecordAndColumn() {
    RecordPrediction rp = new RecordPrediction(model(), "test");
    assertThatThrownBy(() -> rp.predict(List.of(Map.of("age", 1), Map.of("age", "old"))))
        .hasMessage("Record 1: Column age holds 'old', which is not a finite number; the model's schema makes it numeric.");
    assertThatThrownBy(() -> rp.predict(List.of(Map.of("colour", List.of("red")))))
        .hasMessage("Record 0: Column colour holds a list; give a number, a string or null.");
  }
}
