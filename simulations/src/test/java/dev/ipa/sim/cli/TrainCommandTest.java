package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

  @Test
  void trainsOnTheEmbeddedDataAndWritesReportAndPlot(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("train", "--data", "embedded", "--epochs", "1", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("embedded subset").contains("9000 train").contains("epoch 1/1");
    JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertThat(report.at("/config/model").asText()).isEqualTo("mlp 784-200-200-10");
    assertThat(report.at("/final/testAccuracy").asDouble()).isGreaterThan(0.75);
    byte[] png = Files.readAllBytes(dir.resolve("accuracy.png"));
    assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
  }

  @Test
  void aMissingDataDirectoryIsOneSentenceAndExitCode2(@TempDir Path dir) {
    CliRun run = CliRun.of("train", "--data", dir.resolve("nope").toString(), "--out", dir.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("does not exist").doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void anUnknownModelIsRejected(@TempDir Path dir) {
    CliRun run = CliRun.of("train", "--data", "embedded", "--model", "rnn", "--out", dir.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown model 'rnn'; use mlp, mlp:H1,H2,").contains("linear");
  }

  @Test
  void helpListsEverySubcommand() {
    CliRun run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("train").contains("simulate").contains("demo").contains("certs").contains("model").contains("peer");
    // The benchmarks are not part of this jar: they join from the microbench module (see BenchCommandTest there).
    assertThat(run.out()).doesNotContain("bench");
  }
}
