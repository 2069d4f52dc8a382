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
  void theJmhBenchmarksAreCompiledIntoThisModule() {
    // JMH's annotation processor writes this list; without it `ipa bench codecs` finds no benchmark.
    assertThat(BenchCommandTest.class.getResource("/META-INF/BenchmarkList")).isNotNull();
  }
}
