package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The help contract over the tree with {@code bench} and its sub-commands in it. */
class BenchHelpTest extends HelpContract {

  @Test
  void theWalkReachesTheBenchSubCommands() {
    assertThat(commandPaths()).contains(List.of("bench"), List.of("bench", "train"));
    CliRun run = CliRun.of("help", "bench", "train");
    assertThat(run.out()).startsWith("Usage: ipa bench train");
  }
}
