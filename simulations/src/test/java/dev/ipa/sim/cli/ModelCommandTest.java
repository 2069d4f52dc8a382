package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ipa train --weights ... --export} then {@code ipa model inspect / eval} on the embedded data. */
class ModelCommandTest {
  @TempDir static Path dir;
  static Path model;
  static CliRun train;

  @BeforeAll
  static void trainATiledModel() {
    model = dir.resolve("tiled.ipaq");
    train = CliRun.of("train", "--data", "embedded", "--epochs", "1", "--weights", "tiled:4", "--export", model.toString(), "--out", dir.resolve("run").toString());
  }

  @Test
  void trainExportsThePackedModelAndReportsIt() throws Exception {
    assertThat(train.exitCode()).as(train.err()).isZero();
    assertThat(train.out()).contains("Weights: tiled:4 (dense1 tiled:4, dense2 binary, dense3 binary)")
        .contains("Exported " + model + ": " + String.format("%,d", Files.size(model)) + " bytes (fp32 796,840 bytes, 1/");
    JsonNode report = new ObjectMapper().readTree(dir.resolve("run/report.json").toFile());
    assertThat(report.at("/config/weights").asText()).isEqualTo("tiled:4");
    assertThat(report.at("/export/bytes").asLong()).isEqualTo(Files.size(model));
    assertThat(Files.size(model)).isLessThanOrEqualTo(796_840 / 60);
  }

  @Test
  void inspectPrintsEveryLayerAndTheTotalAgainstFp32() throws Exception {
    CliRun run = CliRun.of("model", "inspect", model.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("mlp 784-200-200-10, weights tiled:4").contains("Provenance: peer local, round 0, seed 0, code ")
        .containsPattern("setting +train\\.weights +tiled:4").containsPattern("setting +train\\.epochs +1\\R")
        .contains("aligned to no recorded neighbour snapshot")
        .containsPattern("dense1 +784x200 +tiled:4 +0\\.2508 +4 +fp16 +5,337 +628,000")
        .containsPattern("dense2 +200x200 +binary +1\\.0008 +1 +fp16 +5,425 +160,800")
        .containsPattern("dense3 +200x10 +binary +1\\.0160 +1 +fp16 +295 +8,040")
        .containsPattern("total +199,210 params .* " + String.format("%,d", Files.size(model)) + " +796,840")
        .contains("File: " + String.format("%,d", Files.size(model)) + " bytes, 1/");
  }

  @Test
  void evalRunsThePackedModelAndMatchesTheUnpackedOne() {
    CliRun run = CliRun.of("model", "eval", model.toString(), "--data", "embedded", "--verify");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).containsPattern("Packed inference: test accuracy 0\\.[78]\\d{3} \\(\\d+/2000\\)")
        .containsPattern("Memory: packed model file [\\d,]+ bytes; weights resident for inference [\\d,]+ bytes .*; heap retained by model and inference after GC -?[\\d,]+ bytes .*; peak heap [\\d,]+ bytes")
        .contains("Verify: packed predictions identical to the unpacked model on 2000/2000 test samples");
  }

  @Test
  void aCorruptModelIsOneSentenceAndExitCode2() throws Exception {
    byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length / 2] ^= 1;
    Path bad = dir.resolve("corrupt.ipaq");
    Files.write(bad, bytes);
    CliRun run = CliRun.of("model", "inspect", bad.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().trim()).isEqualTo("ipa model inspect: Model file " + bad + " is corrupt: its CRC32 checksum does not match its contents.");
    CliRun missing = CliRun.of("model", "eval", dir.resolve("none.ipaq").toString(), "--data", "embedded");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("does not exist.").doesNotContain("Exception");
  }

  @Test
  void aBadWeightModeIsRejectedBeforeTraining() {
    CliRun run = CliRun.of("train", "--data", "embedded", "--weights", "tiled:1", "--out", dir.resolve("x").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("tiled:P needs 2 ≤ P ≤ 65535 tile copies, got 1.");
  }
}
