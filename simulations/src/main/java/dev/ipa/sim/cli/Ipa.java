package dev.ipa.sim.cli;

import dev.ipa.alignment.data.DatasetException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ipa} command line: one entry point with a subcommand per job. Bad input (a bad flag value, a
 * missing data file, an invalid configuration) ends with one sentence on standard error and exit code 2; a
 * failure inside a run ends with exit code 1. Subcommands from other jars ({@code bench}) join through
 * {@link CommandExtension}.
 */
@Command(
    name = "ipa",
    mixinStandardHelpOptions = true,
    versionProvider = Ipa.Version.class,
    description = "Peer-to-peer federated learning with Iterative Parameter Alignment.",
    subcommands = {TrainCommand.class, SimulateCommand.class, DemoCommand.class, DataCommand.class, CertsCommand.class, ModelCommand.class, PeerCommand.class, NestedHelpCommand.class})
public final class Ipa implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs the command line with the given output and error streams and returns its exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine(out, err);
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The whole command tree, extensions included, writing to {@code out} and {@code err}. Every command and
   * sub-command answers {@code --help} and {@code -h} (and {@code --version}), whether or not its class asks for
   * the standard help options, so a new command cannot forget them.
   */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Ipa());
    for (CommandExtension extension : java.util.ServiceLoader.load(CommandExtension.class)) cl.addSubcommand(extension.command());
    addHelpOptions(cl);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(Ipa::handle);
    cl.setParameterExceptionHandler(Ipa::badArguments);
    return cl;
  }

  private static void addHelpOptions(CommandLine cl) {
    CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
    if (!spec.mixinStandardHelpOptions() && spec.optionsMap().get("--help") == null) spec.mixinStandardHelpOptions(true);
    for (CommandLine sub : cl.getSubcommands().values()) addHelpOptions(sub);
  }

  /** The name a message starts with: the full command, e.g. {@code ipa model inspect}. */
  static String qualifiedName(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName(" ");
  }

  /** A bad flag or value: one line naming the command and what was wrong, and where the usage is; never the whole usage. */
  private static int badArguments(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    String msg = e.getMessage().strip();
    StringBuilder line = new StringBuilder(qualifiedName(cl)).append(": ").append(msg.endsWith(".") ? msg : msg + ".");
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      line.append(" Did you mean ").append(String.join(" or ", u.getSuggestions())).append('?');
    }
    line.append(" See '").append(qualifiedName(cl)).append(" --help'.");
    cl.getErr().println(line);
    return 2;
  }

  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof IllegalArgumentException || e instanceof DatasetException || e instanceof UserError) {
      err.println(qualifiedName(cl) + ": " + e.getMessage());
      return 2;
    }
    err.println(qualifiedName(cl) + " failed: " + e);
    e.printStackTrace(err);
    return 1;
  }

  /** A problem with what the user asked for, reported as one sentence without a stack trace. */
  public static final class UserError extends RuntimeException {
    public UserError(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Ipa.class.getPackage().getImplementationVersion();
      return new String[] {"ipa " + (v == null ? "development build" : v)};
    }
  }
}
