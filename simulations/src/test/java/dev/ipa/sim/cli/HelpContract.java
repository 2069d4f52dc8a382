package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command and sub-command in picocli's tree answers {@code --help}, {@code -h} and {@code ipa help PATH}
 * with its own usage and exit code 0, without running and without complaining about missing options. The tree
 * is walked, so a command added later is covered without touching this test. Subclassed here and in
 * {@code simulations/microbench}, where {@code bench} joins the tree.
 */
public abstract class HelpContract {

  /** Every command path below {@code ipa}, e.g. {@code [model, inspect]}; the root is the empty path. */
  protected static List<List<String>> commandPaths() {
    List<List<String>> out = new ArrayList<>();
    walk(Ipa.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), new ArrayList<>(), out);
    return out;
  }

  private static void walk(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(List.copyOf(path));
    cl.getSubcommands().forEach((name, sub) -> {
      if (!sub.getCommandName().equals(name)) return; // an alias: the same command again
      path.add(name);
      walk(sub, path, out);
      path.remove(path.size() - 1);
    });
  }

  @Test
  void everyCommandAnswersHelp() {
    List<List<String>> paths = commandPaths();
    assertThat(paths).contains(List.of("model", "inspect"), List.of("certs"), List.of("demo"));
    for (List<String> path : paths) {
      String usage = "Usage: " + String.join(" ", prepend("ipa", path));
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as("ipa %s: %s", args, run.err()).isZero();
        assertThat(run.err()).as("ipa %s", args).isEmpty();
        assertThat(run.out()).as("ipa %s", args).startsWith(usage);
      }
      CliRun help = CliRun.of(prepend("help", path).toArray(String[]::new));
      assertThat(help.exitCode()).as("ipa help %s: %s", path, help.err()).isZero();
      assertThat(help.out()).as("ipa help %s", path).startsWith(usage);
    }
  }

  @Test
  void helpForAnUnknownCommandIsOneSentence() {
    CliRun run = CliRun.of("help", "model", "explode");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).startsWith("ipa help: 'ipa model' has no command 'explode'; its commands are").doesNotContain("\n");
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> l = new ArrayList<>();
    l.add(first);
    l.addAll(rest);
    return l;
  }
}
