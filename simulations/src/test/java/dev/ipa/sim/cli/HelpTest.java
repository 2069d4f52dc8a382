package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Help on every command of this module's tree, and one-line answers to bad arguments. */
class HelpTest extends HelpContract {

  @Test
  void aBadValueIsOneLineNamingTheFullCommand() {
    CliRun run = CliRun.of("simulate", "--rounds=abc");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).doesNotContain("\n").startsWith("ipa simulate: ").contains("'abc'").endsWith("See 'ipa simulate --help'.");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void errorsInASubCommandNameTheWholePath() {
    CliRun run = CliRun.of("model", "inspect", "/nonexistent/model.ipaq");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("ipa model inspect: Model file /nonexistent/model.ipaq does not exist.");
  }

  @Test
  void anUnknownOptionSuggestsTheNearestOneInOneLine() {
    CliRun run = CliRun.of("demo", "--heep");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).doesNotContain("\n").startsWith("ipa demo: Unknown option: '--heep'").contains("--heap");
  }
}
