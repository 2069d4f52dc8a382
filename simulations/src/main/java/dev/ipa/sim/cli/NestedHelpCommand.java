package dev.ipa.sim.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ipa help [COMMAND [SUB-COMMAND ...]]}: the usage of any command in the tree, at any depth. Picocli's own
 * help command looks only at its first word, so {@code ipa help bench train} showed {@code bench}'s usage.
 * An unknown name ends with one sentence that lists the names that exist there. Created per invocation.
 */
@Command(name = "help", helpCommand = true, description = "Show the usage of a command, e.g. 'ipa help model inspect'.")
final class NestedHelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
  @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and sub-commands whose usage to show.")
  List<String> path = new ArrayList<>();

  private CommandLine self;

  @Override
  public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, java.io.PrintWriter out, java.io.PrintWriter err) {
    this.self = helpCommandLine;
  }

  @Override
  public void run() {
    CommandLine at = self.getParent();
    for (String name : path) {
      CommandLine next = at.getSubcommands().get(name);
      if (next == null) {
        throw new IllegalArgumentException("'" + Ipa.qualifiedName(at) + "' has no command '" + name + "'; its commands are "
            + String.join(", ", at.getSubcommands().keySet()) + ".");
      }
      at = next;
    }
    at.usage(self.getOut());
  }
}
