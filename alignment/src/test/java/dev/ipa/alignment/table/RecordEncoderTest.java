package dev.ipa.alignment.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One record at a time gives the floats {@link TableEncoder} gives for the whole table, bit for bit. */
class RecordEncoderTest {
  @TempDir Path dir;

  @Test
  void encodesEveryRowAsTheTableEncoderDoes() throws IOException {
    SplittableRandom rng = new SplittableRandom(3);
    List<String> lines = new ArrayList<>(List.of("age,income,colour,y"));
    List<Map<String, String>> records = new ArrayList<>();
    String[] colours = {"red", " green", "blue", "NA", ""};
    for (int i = 0; i < 400; i++) {
      String age = rng.nextInt(6) == 0 ? "?" : Integer.toString(rng.nextInt(90));
      String income = String.format(java.util.Locale.ROOT, "%.3f", rng.nextDouble() * 1e5);
      String colour = colours[rng.nextInt(colours.length)];
      lines.add(age + "," + income + "," + colour + "," + (i % 2 == 0 ? "a" : "b"));
      records.add(Map.of("age", age, "income", income, "colour", colour));
    }
    Files.write(dir.resolve("t.csv"), lines);
    Table t = CsvTableReader.read(dir.resolve("t.csv"), Set.of(), Set.of(), Map.of());
    TableSchema schema = TableStatistics.pool(List.of(TableStatistics.of(t, t.allRows(), "y", Set.of())));
    Dataset d = TableEncoder.encode("t", t, t.allRows(), schema).dataset();
    assertThat(schema.column("age").orElseThrow().missingIndicator()).isTrue();

    RecordEncoder e = new RecordEncoder(schema);
    int w = e.width();
    float[] expected = new float[w];
    float[] got = new float[w + 2];
    for (int i = 0; i < records.size(); i++) {
      d.features(new int[] {i}, 0, 1, expected);
      java.util.Arrays.fill(got, 7f); // every entry must be overwritten
      e.encode(records.get(i)::get, got, 1);
      assertThat(java.util.Arrays.copyOfRange(got, 1, 1 + w)).as("row %d", i).containsExactly(expected);
    }
  }

  @Test
  void anAbsentCellIsMissingAndAnUnseenCategoryIsUnknown() {
    TableSchema schema = new TableSchema(List.of(TableSchema.Column.numeric("age", 40, 10, true),
        TableSchema.Column.categorical("colour", List.of("blue", "red"))), "y", List.of("a", "b"));
    RecordEncoder e = new RecordEncoder(schema);
    float[] out = new float[e.width()];
    e.encode(Map.of("colour", "mauve")::get, out, 0);
    assertThat(out).containsExactly(0f, 1f, 0f, 0f, 1f);
    Map<String, String> r = new HashMap<>(Map.of("age", "50", "colour", "red"));
    e.encode(r::get, out, 0);
    assertThat(out).containsExactly(1f, 0f, 0f, 1f, 0f);
    assertThat(e.missingColumns(List.of("colour", "other"))).containsExactly("age");
  }

  @Test
  void textInANumericColumnIsOneSentenceNamingIt() {
    TableSchema schema = new TableSchema(List.of(TableSchema.Column.numeric("age", 40, 10, false)), "y", List.of("a", "b"));
    assertThatThrownBy(() -> new RecordEncoder(schema).encode(Map.of("age", "forty")::get, new float[1], 0))
        .isInstanceOf(RecordEncoder.RecordException.class)
        .hasMessage("Column age holds 'forty', which is not a finite number; the model's schema makes it numeric.");
  }
}
