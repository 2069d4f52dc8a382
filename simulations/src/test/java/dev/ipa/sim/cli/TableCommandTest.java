package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.alignment.table.SchemaJson;
import dev.ipa.alignment.table.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tables through the command line: describe, train, and a simulated federation on natural silos. */
class TableCommandTest {
  @TempDir Path dir;

  /** Three hospitals; the outcome depends on age and smoking; hospital "c" never records the unit "ward-9". */
  private Path records() throws Exception {
    Random r = new Random(1);
    StringBuilder b = new StringBuilder("id;hospital;age;ward;smoker;outcome\r\n");
    String[] hospitals = {"a", "b", "c"};
    for (int i = 0; i < 600; i++) {
      String h = hospitals[i % 3];
      double age = 30 + r.nextInt(50);
      boolean smoker = r.nextBoolean();
      String ward = h.equals("c") ? "ward-" + r.nextInt(3) : "ward-" + (r.nextInt(4) == 0 ? 9 : r.nextInt(3));
      boolean sick = age / 80 + (smoker ? 0.4 : 0) + r.nextGaussian() * 0.1 > 0.8;
      b.append(i).append(';').append(h).append(';').append(r.nextInt(20) == 0 ? "NA" : String.valueOf(age)).append(';')
          .append('"').append(ward).append('"').append(';').append(smoker ? "yes" : r.nextInt(10) == 0 ? "" : "no").append(';')
          .append(sick ? "sick" : "well").append("\r\n");
    }
    Path p = dir.resolve("records.csv");
    Files.writeString(p, "\uFEFF" + b);
    return p;
  }

  @Test
  void describeWritesASchemaThatPinsTheFederation() throws Exception {
    Path csv = records();
    Path schema = dir.resolve("schema.json");
    CliRun d = CliRun.of("data", "describe", "--data", csv.toString(), "--ignore", "id", "--out", schema.toString());
    assertThat(d.exitCode()).as(d.err()).isZero();
    assertThat(d.out()).contains("Table " + csv + ": 600 rows (480 train, 120 test), label outcome")
        .containsPattern("age\\s+numeric\\s+\\d+\\s+\\d+").contains("ward-0|ward-1|ward-2|ward-9");
    TableSchema s = SchemaJson.read(schema);
    assertThat(s.featureNames()).startsWith("hospital=a", "hospital=b", "hospital=c", "hospital=unknown", "age", "age=missing");

    CliRun sim = CliRun.of("simulate", "--data", csv.toString(), "--ignore", "id", "--schema", schema.toString(), "--peers", "2",
        "--rounds", "1", "--no-standalone", "--out", dir.resolve("pinned").toString());
    assertThat(sim.exitCode()).as(sim.err()).isZero();
    assertThat(sim.out()).contains("Schema (pinned by --schema)").contains("hash " + s.hash().substring(0, 16));
  }

  @Test
  void naturalSilosGiveOnePeerPerHospitalAndTheColumnIsNoFeature() throws Exception {
    Path csv = records();
    Path out = dir.resolve("silos");
    CliRun run = CliRun.of("simulate", "--data", csv.toString(), "--ignore", "id", "--partition", "by:hospital", "--rounds", "2",
        "--compare", "ipa,fedavg,local", "--no-standalone", "--out", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Natural silos by hospital: 3 peers, a, b, c").contains("Schema (pooled by the federated-statistics exchange)");
    TableSchema s = SchemaJson.read(out.resolve("schema.json"));
    assertThat(s.column("hospital")).isEmpty();
    // hospital c never saw ward-9, yet the pooled schema has it (peers a and b sent it)
    assertThat(s.column("ward").orElseThrow().categories()).containsExactly("ward-0", "ward-1", "ward-2", "ward-9");
    JsonNode r = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    JsonNode peers = r.at("/algorithms/ipa/rounds/1/peers");
    assertThat(peers).hasSize(3);
    for (JsonNode p : peers) assertThat(p.get("accuracy").asDouble()).isGreaterThan(0.6);
  }

  @Test
  void trainNamesAMissingLabelWithTheColumns() throws Exception {
    Path csv = records();
    CliRun run = CliRun.of("train", "--data", csv.toString(), "--label", "diagnosis", "--out", dir.resolve("t").toString());
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("The label column diagnosis is not in " + csv + ", whose columns are id, hospital, age, ward, smoker, outcome");
  }
}
