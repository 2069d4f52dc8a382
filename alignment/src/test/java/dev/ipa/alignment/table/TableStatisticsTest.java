package dev.ipa.alignment.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableStatisticsTest {
  @TempDir Path dir;

  private TableSource.Rows table(int n, long seed) throws IOException {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder("age,colour,weight,y\n");
    String[] colours = {"red", "green", "blue", "teal"};
    for (int i = 0; i < n; i++) {
      b.append(r.nextInt(10) == 0 ? "NA" : String.valueOf(1000 + r.nextGaussian() * 7)).append(',');
      // teal only occurs in the last rows: peers that get none of them never see it
      b.append(i > n - 5 ? "teal" : r.nextInt(8) == 0 ? "" : colours[r.nextInt(3)]).append(',');
      b.append(r.nextDouble() * 3).append(',').append(r.nextBoolean() ? "yes" : "no").append('\n');
    }
    Path p = dir.resolve("t" + seed + ".csv");
    Files.writeString(p, b.toString());
    return TableSource.read(p.toString(), TableSource.Options.defaults());
  }

  @Test
  void pooledStatisticsEqualThoseOfTheConcatenatedRowsInAnyOrder() throws IOException {
    TableSource.Rows rows = table(2000, 1);
    int n = rows.trainRows().length;
    List<TableStatistics> peers = new ArrayList<>();
    int[] cuts = {0, 100, 700, 1200, n};
    for (int k = 0; k + 1 < cuts.length; k++) peers.add(rows.statistics(IntStream.range(cuts[k], cuts[k + 1]).toArray()));
    TableSchema pooled = TableStatistics.pool(peers);
    TableSchema whole = TableStatistics.pool(List.of(rows.statistics()));

    // the concatenated rows, computed directly and in double, two-pass
    Table.Numbers age = (Table.Numbers) rows.train().columns().get(0);
    double sum = 0;
    int count = 0;
    for (int r : rows.trainRows()) if (!age.missing(r)) { sum += age.values()[r]; count++; }
    double mean = sum / count;
    double ss = 0;
    for (int r : rows.trainRows()) if (!age.missing(r)) ss += Math.pow(age.values()[r] - mean, 2);
    TableSchema.Column a = pooled.columns().get(0);
    assertThat(a.mean()).isCloseTo(mean, within(1e-6));
    assertThat(a.sd()).isCloseTo(Math.sqrt(ss / count), within(1e-6));
    assertThat(a.missingIndicator()).isTrue();
    for (int j = 0; j < whole.columns().size(); j++) {
      assertThat(pooled.columns().get(j).mean()).isCloseTo(whole.columns().get(j).mean(), within(1e-6));
      assertThat(pooled.columns().get(j).sd()).isCloseTo(whole.columns().get(j).sd(), within(1e-6));
    }
    assertThat(pooled.columns().get(1).categories()).containsExactly("blue", "green", "red", "teal");

    List<TableStatistics> shuffled = new ArrayList<>(peers);
    Collections.shuffle(shuffled, new Random(5));
    assertThat(TableStatistics.pool(shuffled)).isEqualTo(pooled);
    assertThat(TableStatistics.pool(shuffled).hash()).isEqualTo(pooled.hash());
  }

  @Test
  void aCategoryUnseenByOnePeerIsStillItsOwnInputThere() throws IOException {
    TableSource.Rows rows = table(300, 2);
    int n = rows.trainRows().length;
    TableStatistics early = rows.statistics(IntStream.range(0, n / 2).toArray());
    TableStatistics late = rows.statistics(IntStream.range(n / 2, n).toArray());
    assertThat(early.byName().get("colour").categories()).doesNotContain("teal");
    TableSchema schema = TableStatistics.pool(List.of(early, late));
    assertThat(schema.featureNames()).containsExactly("age", "age=missing", "colour=blue", "colour=green", "colour=red",
        "colour=teal", "colour=unknown", "weight");
    var encoded = rows.encode(schema).data().train();
    assertThat(encoded.featureSize()).isEqualTo(8);
    float[] row = new float[8];
    int[] labels = new int[1];
    for (int i = 0; i < encoded.count(); i++) {
      encoded.features(new int[] {i}, 0, 1, row);
      encoded.labels(new int[] {i}, 0, 1, labels);
      float oneHot = row[2] + row[3] + row[4] + row[5] + row[6];
      assertThat(oneHot).isEqualTo(1f);
      assertThat(row[1] == 1f ? row[0] : 0f).isEqualTo(0f); // a missing age is the mean
    }
  }

  @Test
  void schemaSurvivesJsonAndNamesTheFirstDifferingColumn() throws IOException {
    TableSchema s = TableStatistics.pool(List.of(table(200, 3).statistics()));
    Path f = dir.resolve("schema.json");
    SchemaJson.write(s, f);
    TableSchema back = SchemaJson.read(f);
    assertThat(back).isEqualTo(s);
    assertThat(back.hash()).isEqualTo(s.hash());
    List<TableSchema.Column> cols = new ArrayList<>(s.columns());
    cols.set(1, TableSchema.Column.categorical("colour", List.of("blue", "red")));
    TableSchema other = new TableSchema(cols, s.label(), s.classes());
    assertThat(s.firstDifference(other)).contains("column colour has categories [blue, green, red, teal] here but [blue, red] there");
    assertThat(s.firstDifference(back)).isEmpty();
  }

  @Test
  void classesAndNumericCategoriesSortByValue() {
    assertThat(Values.sorted(Set.of("10", "2", "1"))).containsExactly("1", "2", "10");
    assertThat(Values.sorted(Set.of("b", "10", "a"))).containsExactly("10", "a", "b");
  }
}
