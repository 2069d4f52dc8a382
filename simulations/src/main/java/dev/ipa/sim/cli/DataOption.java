package dev.ipa.sim.cli;

import dev.ipa.alignment.data.FashionMnist;
import dev.ipa.alignment.data.ImageFolder;
import dev.ipa.alignment.data.TrainTest;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --data} option shared by every command that reads a data set. Without it, data is looked up in
 * $IPA_DATA, then /usr/share/datasets/fashion-mnist, then the embedded subset; {@code --data embedded} picks
 * the embedded subset explicitly. A directory of class folders is read as images ({@link ImageFolder}).
 */
public final class DataOption {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "IDX data directory, a directory of image class folders (DIR/train/<class>/*.png and DIR/test/<class>/, or DIR/<class>/ to split), "
          + "or 'embedded' for the bundled Fashion-MNIST subset. Default: $IPA_DATA, then /usr/share/datasets/fashion-mnist, then the embedded subset.")
  String data;

  @Option(names = "--image-size", paramLabel = "HxW", description = "Image folders: resize every image to HxW (e.g. 32x32). Default: the most common size.")
  String imageSize;

  @Option(names = "--channels", paramLabel = "1|3", description = "Image folders: read every image as grey (1) or RGB (3); needed when grey and RGB files are mixed. Default: as the files are.")
  Integer channels;

  @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
      description = "Image folders without test/: the share of each class held out for testing (seeded, stratified split). Default: ${DEFAULT-VALUE}.")
  double testFraction;

  public TrainTest load() {
    if ("embedded".equals(data)) return FashionMnist.embedded();
    if (data != null && ImageFolder.isImageFolder(Path.of(data))) return ImageFolder.load(Path.of(data), imageOptions());
    return FashionMnist.fromEnvironment().load(data == null ? null : Path.of(data));
  }

  /** How image folders are read: {@code --image-size}, {@code --channels}, {@code --test-fraction}; the split's seed is 0. */
  ImageFolder.Options imageOptions() {
    int[] size = imageSize == null ? new int[] {0, 0} : ImageFolder.Options.parseSize(imageSize);
    return new ImageFolder.Options(size[0], size[1], channels == null ? 0 : channels, testFraction, 0);
  }

  /** A short name for chart titles, e.g. "Fashion-MNIST (embedded subset)" or "Image folders (/data/scans)". */
  static String shortName(TrainTest tt) {
    return tt.kind() + " (" + tt.source().replaceFirst(" \\(.*", "").replaceFirst("^the ", "") + ")";
  }

  public String value() {
    return data;
  }
}
