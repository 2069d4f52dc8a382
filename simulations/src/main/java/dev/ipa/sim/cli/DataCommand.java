package dev.ipa.sim.cli;

import dev.ipa.alignment.data.ImageFolder;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.sim.report.Table;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code ipa data}: what a data source holds, before training on it. */
@Command(name = "data", description = "Look at a data source before training on it.", subcommands = {DataCommand.Describe.class})
public final class DataCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code ipa data describe --data ...}: rows, classes and their counts; for image folders also sizes and channels. */
  @Command(name = "describe", description = "Print what a data source holds: rows, classes and their counts; for image folders the image sizes and channels too.")
  static final class Describe implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin DataOption data;

    @Override
    public void run() {
      PrintWriter o = spec.commandLine().getOut();
      if (data.value() != null && ImageFolder.isImageFolder(Path.of(data.value()))) {
        describeImages(o, Path.of(data.value()));
      } else {
        TrainTest tt = data.load();
        o.println(tt.describe());
        o.print(classTable(tt.classNames(), tt.train().classCounts(), tt.test().classCounts()));
      }
      o.flush();
    }

    private void describeImages(PrintWriter o, Path dir) {
      ImageFolder.Scan scan = ImageFolder.scan(dir);
      int[] train = scan.trainCounts();
      int[] test = scan.testCounts();
      int images = java.util.Arrays.stream(train).sum() + java.util.Arrays.stream(test).sum();
      o.printf("Image folders in %s: %d images, %d classes, %s%n", dir, images, scan.classNames().size(),
          scan.presplit() ? "train/ and test/ folders" : "one level (split on load: --test-fraction of each class, seeded)");
      o.print(classTable(scan.classNames(), train, scan.presplit() ? test : null));
      StringBuilder sizes = new StringBuilder();
      for (Map.Entry<String, Integer> e : scan.sizes().entrySet()) sizes.append(sizes.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue());
      int[] common = scan.mostCommonSize();
      o.printf("Sizes (HxW: images): %s; loaded at %s%n", sizes,
          data.imageSize == null ? common[0] + "x" + common[1] + " (the most common; --image-size sets another)" : data.imageSize + " (--image-size)");
      int[] cc = scan.channelCounts();
      o.printf("Channels: %d grey, %d RGB%s%n", cc[0], cc[1],
          cc[0] > 0 && cc[1] > 0 ? " (mixed: loading needs --channels 1 or --channels 3)" : "");
      if (scan.ignoredFiles() > 0) o.printf("Skipped: %d files that are hidden or not named .png, .jpg, .jpeg, .bmp or .gif%n", scan.ignoredFiles());
      if (!scan.testOnlyClasses().isEmpty()) {
        o.println("Warning: test classes without training images: " + String.join(", ", scan.testOnlyClasses()) + ".");
      }
    }

    /** One row per class: name, training and (when known) test counts. */
    private static Table classTable(List<String> names, int[] train, int[] test) {
      List<String> head = new ArrayList<>(List.of("label", "class", test == null ? "images" : "train"));
      if (test != null) head.add("test");
      Table t = new Table(head.toArray(String[]::new));
      for (int c = 0; c < names.size(); c++) {
        if (test == null) t.row(c, names.get(c), train[c]);
        else t.row(c, names.get(c), train[c], test[c]);
      }
      return t;
    }
  }
}
