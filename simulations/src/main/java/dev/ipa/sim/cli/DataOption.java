package dev.ipa.sim.cli;

import dev.ipa.alignment.data.FashionMnist;
import dev.ipa.alignment.data.TrainTest;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --data} option shared by every command that reads a data set. Without it, data is looked up in
 * $IPA_DATA, then /usr/share/datasets/fashion-mnist, then the embedded subset; {@code --data embedded} picks
 * the embedded subset explicitly.
 */
public final class DataOption {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "IDX data directory, or 'embedded' for the bundled Fashion-MNIST subset. "
          + "Default: $IPA_DATA, then /usr/share/datasets/fashion-mnist, then the embedded subset.")
  String data;

  public TrainTest load() {
    if ("embedded".equals(data)) return FashionMnist.embedded();
    return FashionMnist.fromEnvironment().load(data == null ? null : Path.of(data));
  }

  /** A short name for chart titles, e.g. "Fashion-MNIST (embedded subset)" or "Fashion-MNIST (/usr/share/datasets/fashion-mnist)". */
  static String shortName(TrainTest tt) {
    return "Fashion-MNIST (" + tt.source().replaceFirst(" \\(.*", "").replaceFirst("^the ", "") + ")";
  }

  public String value() {
    return data;
  }
}
