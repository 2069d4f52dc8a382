package dev.ipa.alignment.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.data.DatasetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTableReaderTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, text.getBytes(StandardCharsets.UTF_8));
    return p;
  }

  private Table read(Path p) {
    return CsvTableReader.read(p, Set.of(), Set.of("y"), Map.of());
  }

  @Test
  void quotedFieldsHoldDelimitersQuotesAndNewlines() throws IOException {
    Path p = write("q.csv", "name,x,y\n\"a, b\",1,p\n\"say \"\"hi\"\"\",2,q\n\"two\nlines\",3,p\n");
    Table t = read(p);
    Table.Codes name = (Table.Codes) t.columns().get(0);
    assertThat(t.rows()).isEqualTo(3);
    assertThat(name.value(0)).isEqualTo("a, b");
    assertThat(name.value(1)).isEqualTo("say \"hi\"");
    assertThat(name.value(2)).isEqualTo("two\nlines");
    assertThat(((Table.Numbers) t.columns().get(1)).values()).containsExactly(1f, 2f, 3f);
  }

  @Test
  void bomAndCrlfAreHandledAndSemicolonAndTabDetected() throws IOException {
    Path bom = write("b.csv", "\uFEFFx;z;y\r\n1,5;a;p\r\n2;b;q\r\n");
    Table t = read(bom);
    assertThat(t.names()).containsExactly("x", "z", "y");
    Table.Codes x = (Table.Codes) t.columns().get(0); // "1,5" is no number: the column is text
    assertThat(x.value(0)).isEqualTo("1,5");
    assertThat(((Table.Codes) t.columns().get(2)).value(1)).isEqualTo("q");
    Path tab = write("t.txt.csv", "x\tz\ty\r\n1\ta\tp\r\n");
    assertThat(read(tab).names()).containsExactly("x", "z", "y");
  }

  @Test
  void everyMissingSpellingIsMissing() throws IOException {
    Path p = write("m.csv", "x,c,y\n,,p\nNA,NA,p\nNaN,nan,q\n?,?,q\nnull,NULL,p\n 7 ,red,q\n");
    Table t = read(p);
    Table.Numbers x = (Table.Numbers) t.columns().get(0);
    for (int r = 0; r < 5; r++) assertThat(x.missing(r)).as("row %d", r).isTrue();
    assertThat(x.values()[5]).isEqualTo(7f);
    Table.Codes c = (Table.Codes) t.columns().get(1);
    for (int r = 0; r < 5; r++) assertThat(c.missing(r)).isTrue();
    assertThat(c.dictionary()).containsExactly("red");
  }

  @Test
  void aColumnThatTurnsOutTextKeepsItsExactCells() throws IOException {
    Path p = write("f.csv", "zip,y\n01234,p\n2,q\nA1,p\n");
    Table.Codes zip = (Table.Codes) read(p).columns().get(0);
    assertThat(zip.value(0)).isEqualTo("01234");
    assertThat(zip.value(2)).isEqualTo("A1");
  }

  @Test
  void aColumnWhoseFirstValueIsTextKeepsTheMissingCellsBeforeIt() throws IOException {
    Path p = write("t.csv", "c,x,y\nNA,1,p\n,2,q\nred,3,p\n007,4,q\n?,5,p\n");
    Table t = read(p);
    Table.Codes c = (Table.Codes) t.columns().get(0);
    assertThat(t.rows()).isEqualTo(5);
    assertThat(c.missing(0)).isTrue();
    assertThat(c.missing(1)).isTrue();
    assertThat(c.value(2)).isEqualTo("red");
    assertThat(c.value(3)).isEqualTo("007");
    assertThat(c.missing(4)).isTrue();
    assertThat(c.dictionary()).containsExactly("red", "007");
    assertThat(((Table.Numbers) t.columns().get(1)).values()).containsExactly(1f, 2f, 3f, 4f, 5f);
  }

  @Test
  void badQuotingIsOneSentenceNamingTheLine() throws IOException {
    Path after = write("a.csv", "x,y\n1,p\n\"ab\"c,q\n");
    assertThatThrownBy(() -> read(after)).isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(after + " is not valid CSV (")
        .hasMessageContaining("line 3")
        .hasMessageEndingWith("put nothing between a closing quote and the delimiter.");
    Path open = write("o.csv", "x,y\n1,p\n\"2,q\n3,p\n");
    assertThatThrownBy(() -> read(open)).isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(open + ":3 has 1 field but the header has 2")
        .hasMessageContaining("a quote opened on this line may never be closed");
  }

  @Test
  void wrongFieldCountNamesFileAndLine() throws IOException {
    Path p = write("w.csv", "x,z,y\n1,2,p\n\"multi\nline\",2,p\n1,2\n");
    assertThatThrownBy(() -> read(p)).isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(p + ":5 has 2 fields but the header has 3");
  }

  @Test
  void nonNumberInAPinnedNumericColumnNamesLineAndColumn() throws IOException {
    Path p = write("n.csv", "x,z,y\n1,2,p\n3,oops,q\n");
    assertThatThrownBy(() -> CsvTableReader.read(p, Set.of(), Set.of("y"), Map.of("z", TableSchema.ColumnType.NUMERIC)))
        .isInstanceOf(DatasetException.class).hasMessageStartingWith(p + ":3:2 holds \"oops\" in the numeric column z");
  }

  @Test
  void ignoredColumnsAreDroppedAndUnknownOnesNamed() throws IOException {
    Path p = write("i.csv", "id,x,y\n1,2,p\n");
    assertThat(CsvTableReader.read(p, Set.of("id"), Set.of("y"), Map.of()).names()).containsExactly("x", "y");
    assertThatThrownBy(() -> CsvTableReader.read(p, Set.of("date"), Set.of("y"), Map.of()))
        .hasMessage("The --ignore column date is not in " + p + ", whose columns are id, x, y; name one of these.");
  }

  @Test
  void missingLabelIsNamedWithTheColumns() throws IOException {
    Path p = write("l.csv", "a,b\n1,2\n");
    var o = new TableSource.Options("outcome", Set.of(), 0.2, 0, null, null);
    assertThatThrownBy(() -> TableSource.read(p.toString(), o))
        .hasMessage("The label column outcome is not in " + p + ", whose columns are a, b; pass one of these to --label.");
  }

  @Test
  void aLabelWithOneClassAndAnEntirelyMissingColumnAreRefused() throws IOException {
    Path one = write("o.csv", "x,y\n1,p\n2,p\n3,p\n");
    TableSource.Rows rows = TableSource.read(one.toString(), TableSource.Options.defaults());
    assertThatThrownBy(() -> TableStatistics.pool(List.of(rows.statistics())))
        .hasMessageContaining("The label column y has only one class (p)");
    Path empty = write("e.csv", "x,gone,y\n1,,p\n2,NA,q\n3,,p\n4,?,q\n5,,p\n");
    TableSource.Rows r2 = TableSource.read(empty.toString(), TableSource.Options.defaults());
    assertThatThrownBy(() -> TableStatistics.pool(List.of(r2.statistics())))
        .hasMessage("Column gone is missing in every training row; leave it out with --ignore gone.");
  }

  @Test
  void singleFileGetsAStratifiedSeededSplitAndTestClassesTrainingLacksAreNamed() throws IOException {
    StringBuilder b = new StringBuilder("x,y\n");
    for (int i = 0; i < 100; i++) b.append(i).append(',').append(i % 4 == 0 ? "a" : "b").append('\n');
    Path p = write("s.csv", b.toString());
    TableSource.Rows r = TableSource.read(p.toString(), TableSource.Options.defaults());
    assertThat(r.testRows()).hasSize(20);
    long aInTest = java.util.Arrays.stream(r.testRows()).filter(i -> i % 4 == 0).count();
    assertThat(aInTest).isEqualTo(5);
    assertThat(TableSource.read(p.toString(), TableSource.Options.defaults()).testRows()).containsExactly(r.testRows());

    Path d = Files.createDirectory(dir.resolve("tt"));
    Files.writeString(d.resolve("train.csv"), "x,y\n1,a\n2,b\n3,a\n");
    Files.writeString(d.resolve("test.csv"), "x,y\n1,a\n2,c\n5,zz\n");
    TableSource.Rows dr = TableSource.read(d.toString(), TableSource.Options.defaults());
    TableSource.Encoded e = dr.encode(TableStatistics.pool(List.of(dr.statistics())));
    assertThat(e.data().test().count()).isEqualTo(1);
    assertThat(e.warnings()).containsExactly("The test data of " + d + " holds classes c, zz, which the training data lacks; its 2 rows are left out of the evaluation.");
  }
}
