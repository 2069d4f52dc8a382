package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins short runs bit for bit: every peer's per-round accuracy, losses and bytes, and the stop records, must equal
 * the golden report recorded before a refactor. A refactor that changes no behaviour leaves these files alone; a
 * change that is meant to alter results regenerates them on purpose with {@code -Dipa.pins.record=DIR} (DIR is the
 * source folder {@code simulations/src/test/resources/dev/ipa/sim/pins}) and says so in its commit.
 *
 * <p>A stop at a target accuracy is not pinned: when a neighbour's STOP notice arrives relative to the end of a
 * peer's round is a race in any asynchronous federation, so which round the others stop in may differ by one.
 *
 * <p>The cases cover every algorithm, both protocols, the proximal step and the gradient term, extrapolation,
 * early stopping, compressed deltas, compressed local models and real sockets.
 */
class BehaviourPinTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "ipa-defaults        | --peers 2 --partition disjoint --rounds 2",
      "ipa-gradient-sign   | --peers 3 --partition disjoint --rounds 2 --lambda 0.1 --distance l1 --mix 0 --syncs 1 --codec sign",
      "ipa-tile-extrapolate| --peers 3 --partition iid --rounds 2 --codec tile:8 --small-codec sign --extrapolate 1 --lambda 0.5 --mix 0.5 --syncs 2",
      "baselines           | --peers 3 --partition dirichlet:0.5 --rounds 2 --compare fedavg,fedprox,local --syncs 2",
      "ring                | --peers 3 --partition disjoint --rounds 2 --protocol ring",
      "early-stop-binary   | --peers 2 --partition disjoint --rounds 3 --weights binary --early-stop patience:1 --topology ring",
      "loopback-int8       | --peers 2 --partition iid --rounds 1 --codec int8 --transport loopback",
      // With the defences off, the three-peer runs must equal the same goldens: the defences are the only change.
      "ipa-gradient-sign~off   | --peers 3 --partition disjoint --rounds 2 --lambda 0.1 --distance l1 --mix 0 --syncs 1 --codec sign --robust off",
      "ipa-tile-extrapolate~off| --peers 3 --partition iid --rounds 2 --codec tile:8 --small-codec sign --extrapolate 1 --lambda 0.5 --mix 0.5 --syncs 2 --robust off",
      "baselines~off           | --peers 3 --partition dirichlet:0.5 --rounds 2 --compare fedavg,fedprox,local --syncs 2 --robust off"})
  void aShortRunIsIdenticalToItsGoldenReport(String name, String args, @TempDir Path dir) throws Exception {
    List<String> argv = new ArrayList<>(List.of("simulate", "--data", "embedded", "--no-standalone", "--out", dir.toString()));
    argv.addAll(List.of(args.trim().split("\\s+")));
    CliRun run = CliRun.of(argv.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.err()).isZero();

    ObjectMapper json = new ObjectMapper();
    JsonNode report = json.readTree(dir.resolve("report.json").toFile());
    ObjectNode pinned = json.createObjectNode();
    for (String field : List.of("rounds", "final", "stops", "algorithms")) {
      if (report.has(field)) pinned.set(field, report.get(field));
    }
    pinned.findParents("seconds").forEach(n -> ((ObjectNode) n).remove("seconds")); // wall time, not behaviour
    String file = name.trim().split("~")[0] + ".json";
    String record = System.getProperty("ipa.pins.record");
    if (record != null && !name.contains("~")) {
      Files.writeString(Path.of(record).resolve(file), json.writerWithDefaultPrettyPrinter().writeValueAsString(pinned) + "\n");
      return;
    }
    try (InputStream golden = BehaviourPinTest.class.getResourceAsStream("/dev/ipa/sim/pins/" + file)) {
      assertThat(golden).as("golden file " + file + " (record it with -Dipa.pins.record=DIR)").isNotNull();
      assertThat(pinned).as("run '%s' against its golden report", name.trim()).isEqualTo(json.readTree(golden));
    }
  }
}
