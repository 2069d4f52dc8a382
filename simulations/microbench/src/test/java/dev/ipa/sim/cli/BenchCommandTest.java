package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The benchmarks join the {@code ipa} command line from this module, through {@link CommandExtension}. */
class BenchCommandTest {

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Ipa.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void benchIsASubcommandWhenThisModuleIsOnTheClassPath() {
    String[] top = run("--help");
    assertThat(top[0]).isEqualTo("0");
    assertThat(top[1]).contains("bench").contains("train").contains("simulate");

    String[] bench = run("bench");
    assertThat(bench[0]).as(bench[2]).isEqualTo("0");
    assertThat(bench[1]).contains("train").contains("codecs").contains("transport").contains("simulate").contains("peer").contains("soak");
  }

  @Test
  void jmhArgumentsPassThroughInTheirOrder() {
    picocli.CommandLine cl = new picocli.CommandLine(new BenchCommand());
    picocli.CommandLine.ParseResult r = cl.parseArgs("codecs", "--quick", "-p", "codec=sign", "-wi", "2");
    BenchCommand.Codecs codecs = (BenchCommand.Codecs) r.subcommand().commandSpec().userObject();
    assertThat(codecs.quick).isTrue();
    assertThat(codecs.jmhArgs).containsExactly("-p", "codec=sign", "-wi", "2");
  }

  @Test
  void trainTimesEachBatchSizeAndSummarisesWithoutPyTorch() {
    String[] r = run("bench", "train", "--data", "embedded", "--model", "cnn", "--batch", "4,8", "--steps", "2", "--repeat", "1", "--no-pytorch");
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).contains("cnn 1x28x28 conv16-conv32-128-10").contains("ipa (ND4J)").contains("ipa / PyTorch")
        .containsPattern("\\n\\s+4\\s+\\d+\\s+-\\s+-").containsPattern("\\n\\s+8\\s+\\d+\\s+-\\s+-");
  }

  @Test
  void thePyTorchScriptShipsInTheJarBesideItsRunner() {
    // `ipa bench train` extracts it from the class path; a jar without it could never run the comparison.
    assertThat(dev.ipa.bench.PyTorchReference.class.getResource("pytorch_train.py")).isNotNull();
  }

  @Test
  void simulateReportsEverySizeWithPerPeerFiguresInItsJson(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    String[] r = run("bench", "simulate", "--data", "embedded", "--peers", "2,4", "--topology", "random:1", "--samples-per-peer", "50",
        "--test-samples", "100", "--rounds", "2", "--out", dir.toString());
    assertThat(r[0]).as(r[2]).isEqualTo("0");
    assertThat(r[1]).contains("s/round/peer").contains("live heap/peer");
    com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("bench-simulate.json").toFile());
    assertThat(json.get("topology").asText()).isEqualTo("random:1");
    assertThat(json.get("sizes")).hasSize(2);
    for (int i = 0; i < 2; i++) {
      com.fasterxml.jackson.databind.JsonNode size = json.get("sizes").get(i);
      int peers = new int[] {2, 4}[i];
      assertThat(size.get("peers").asInt()).isEqualTo(peers);
      assertThat(size.get("samplesPerPeer").asInt()).isEqualTo(50);
      assertThat(size.get("secondsPerRound").asDouble()).isPositive();
      assertThat(size.get("liveHeapBytes").asLong()).isPositive();
      assertThat(size.get("liveHeapBytesPerPeer").asLong()).isEqualTo(size.get("liveHeapBytes").asLong() / peers);
      assertThat(size.get("peakHeapBytes").asLong()).isGreaterThanOrEqualTo(size.get("liveHeapBytes").asLong());
    }
  }

  @Test
  void simulateRefusesMoreSamplesThanTheDataHasInOneSentence() {
    String[] r = run("bench", "simulate", "--data", "embedded", "--peers", "100", "--samples-per-peer", "1000", "--rounds", "2");
    assertThat(r[0]).isEqualTo("2");
    assertThat(r[2].strip()).doesNotContain("\n").contains("need 111112 training samples but the data has 9000");
  }

  @Test
  void theJmhBenchmarksAreCompiledIntoThisModule() {
    // JMH's annotation processor writes this list; without it `ipa bench codecs` finds no benchmark.
    assertThat(BenchCommandTest.class.getResource("/META-INF/BenchmarkList")).isNotNull();
  }
}
