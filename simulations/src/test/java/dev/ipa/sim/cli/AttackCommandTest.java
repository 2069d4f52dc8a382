package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --attack} on five short peers of the embedded data: with the defences on, the honest peers keep a useful
 * model and their records name the attacker; with them off, a scaled or random attacker wrecks them.
 */
class AttackCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static CliRun simulate(Path dir, String attack, String robust) {
    return CliRun.of("simulate", "--data", "embedded", "--peers", "5", "--partition", "iid", "--rounds", "2", "--syncs", "1",
        "--no-standalone", "--robust", robust, "--attack", "4=" + attack, "--out", dir.toString());
  }

  /** The honest peers' mean final accuracy, their failures in the last round, and their mean final test loss. */
  private static double[] honest(Path dir, String attack, String robust) throws Exception {
    CliRun run = simulate(dir, attack, robust);
    assertThat(run.exitCode()).as(run.err()).isZero();
    return honest(dir, run);
  }

  private static double[] honest(Path dir, CliRun run) throws Exception {
    assertThat(run.out()).contains("honest peers (without {4=");
    JsonNode last = JSON.readTree(dir.resolve("report.json").toFile()).get("rounds").get(1).get("peers");
    double acc = 0;
    double failures = 0;
    double loss = 0;
    for (int i = 0; i < 4; i++) {
      acc += last.get(i).get("accuracy").asDouble() / 4;
      failures += last.get(i).get("failures").asInt();
      loss += last.get(i).get("loss").asDouble() / 4;
    }
    return new double[] {acc, failures, loss};
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"scale:1e6", "random", "nan", "weight:2147483647", "stop"})
  void theDefencesKeepTheHonestPeersAndNameTheAttacker(String attack, @TempDir Path dir) throws Exception {
    double[] on = honest(dir.resolve("on"), attack, "on");
    assertThat(on[0]).as("honest accuracy with the defences").isGreaterThan(0.6);
    assertThat(on[1]).as("the attacker shows in the honest peers' failures").isGreaterThan(0);
    if (attack.equals("scale:1e6")) {
      // Without the defences the attack must hurt, or it proves nothing: the honest peers diverge (the run ends) or
      // their test loss explodes (a ReLU network scaled up keeps much of its argmax, so accuracy alone can hide it).
      CliRun off = simulate(dir.resolve("off"), attack, "off");
      if (off.exitCode() == 0) assertThat(honest(dir.resolve("off"), off)[2]).isGreaterThan(100 * on[2]);
      else assertThat(off.err() + off.out()).contains("diverged");
    }
  }

  /** A replayed snapshot (the stale attack) is left out and named from its first repeat; without the defences it is not. */
  @Test
  void aReplayedSnapshotIsLeftOutAndNamed(@TempDir Path dir) throws Exception {
    double[] on = honest(dir.resolve("on"), "stale", "on");
    assertThat(on[1]).as("the replaying peer shows in every honest peer's failures of round 1").isEqualTo(4);
    double[] off = honest(dir.resolve("off"), "stale", "off");
    assertThat(off[1]).as("no defences, no suspicion").isZero();
  }
}
