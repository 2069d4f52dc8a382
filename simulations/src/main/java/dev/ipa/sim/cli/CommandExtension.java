package dev.ipa.sim.cli;

/**
 * A subcommand that joins {@code ipa} from another jar when that jar is on the class path, found with
 * {@link java.util.ServiceLoader}. The benchmarks ({@code ipa bench}) come this way from the microbench module,
 * so no production jar carries JMH or benchmark code. Implementations need a public no-argument constructor.
 */
public interface CommandExtension {
  /** A fresh picocli command object (annotated with {@code @Command}). */
  Object command();
}
