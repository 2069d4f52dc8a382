package dev.ipa.alignment.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders written in the test with ImageIO: PNG and JPEG, grey and RGB, of mixed sizes. */
class ImageFolderTest {
  @TempDir Path dir;

  /** A grey image whose every pixel is {@code value}. */
  private static BufferedImage grey(int h, int w, int value) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, value);
    return img;
  }

  /** An RGB image whose every pixel is {@code rgb}. */
  private static BufferedImage rgb(int h, int w, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
    return img;
  }

  private Path write(BufferedImage img, String format, String... path) throws IOException {
    Path f = dir.resolve(String.join("/", path));
    Files.createDirectories(f.getParent());
    assertThat(ImageIO.write(img, format, f.toFile())).as("ImageIO writes " + format).isTrue();
    return f;
  }

  @Test
  void trainAndTestFoldersOfGreyPngAndJpegOfMixedSizesLoadAtTheMostCommonSize() throws IOException {
    for (int i = 0; i < 3; i++) write(grey(8, 6, 40 + i), "png", "train", "cat", i + ".png");
    write(grey(16, 12, 200), "jpg", "train", "cat", "big.jpg"); // another size: resized to 8x6
    for (int i = 0; i < 4; i++) write(grey(8, 6, 100), "png", "train", "ant", i + ".PNG");
    write(grey(8, 6, 7), "png", "test", "ant", "t.png");
    write(grey(8, 6, 9), "png", "test", "cat", "t.png");
    Files.writeString(dir.resolve("train/cat/notes.txt"), "not an image");

    ImageFolder.Scan scan = ImageFolder.scan(dir);
    assertThat(scan.presplit()).isTrue();
    assertThat(scan.classNames()).containsExactly("ant", "cat");
    assertThat(scan.trainCounts()).containsExactly(4, 4);
    assertThat(scan.testCounts()).containsExactly(1, 1);
    assertThat(scan.sizes()).containsExactly(java.util.Map.entry("8x6", 9), java.util.Map.entry("16x12", 1));
    assertThat(scan.channelCounts()).containsExactly(10, 0);
    assertThat(scan.ignoredFiles()).isEqualTo(1);

    TrainTest tt = scan.toTrainTest(ImageFolder.Options.DEFAULTS);
    Dataset train = tt.train();
    assertThat(train.channels()).isEqualTo(1);
    assertThat(train.rows()).isEqualTo(8);
    assertThat(train.cols()).isEqualTo(6);
    assertThat(train.numClasses()).isEqualTo(2);
    assertThat(train.labelsAsInts()).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
    assertThat(train.pixel(4, 3, 2)).isEqualTo(40); // lossless PNG: exact
    int bigJpeg = train.pixel(7, 4, 3); // files sort 0.png 1.png 2.png big.jpg
    assertThat(bigJpeg).isBetween(195, 205); // JPEG is lossy; a constant image stays near constant
    assertThat(tt.test().labelsAsInts()).containsExactly(0, 1);
    assertThat(tt.test().pixel(1, 0, 0)).isEqualTo(9);
    assertThat(tt.classNames()).containsExactly("ant", "cat");
    assertThat(tt.warnings()).isEmpty();
    assertThat(tt.describe()).contains("Image folders from " + dir).contains("8 train, 2 test, 8x6, 2 classes (ant, cat)");
  }

  @Test
  void rgbImagesKeepTheirChannelsInterleavedAndAnImageSizeResizes() throws IOException {
    write(rgb(4, 4, 0xFF0000), "png", "red", "a.png");
    write(rgb(4, 4, 0x00FF80), "bmp", "green", "a.bmp");
    write(rgb(4, 4, 0x0000FF), "png", "red", "b.png");
    write(rgb(4, 4, 0x00FF80), "png", "green", "b.png");

    TrainTest tt = ImageFolder.load(dir, new ImageFolder.Options(2, 3, 0, 0.5, 0));
    Dataset all = tt.train();
    assertThat(all.channels()).isEqualTo(3);
    assertThat(all.shape()).isEqualTo("2x3x3");
    assertThat(all.featureSize()).isEqualTo(18);
    assertThat(tt.train().count() + tt.test().count()).isEqualTo(4);
    assertThat(tt.test().count()).isEqualTo(2);
    // Every image is a solid colour: each resized pixel keeps it, R G B in that order.
    for (Dataset d : new Dataset[] {tt.train(), tt.test()}) {
      for (int i = 0; i < d.count(); i++) {
        int r = d.pixel(i, 1, 2, 0);
        int g = d.pixel(i, 1, 2, 1);
        int b = d.pixel(i, 1, 2, 2);
        if (d.label(i) == 0) assertThat(new int[] {r, g, b}).containsExactly(0, 255, 128);
        else assertThat(r == 255 && g == 0 && b == 0 || r == 0 && g == 0 && b == 255).as("red class pixel %d %d %d", r, g, b).isTrue();
      }
    }
  }

  @Test
  void theOneLevelSplitIsStratifiedAndSeeded() throws IOException {
    for (int i = 0; i < 10; i++) write(grey(4, 4, i), "png", "a", i + ".png");
    for (int i = 0; i < 5; i++) write(grey(4, 4, 100 + i), "png", "b", i + ".png");

    TrainTest tt = ImageFolder.load(dir, new ImageFolder.Options(0, 0, 0, 0.2, 3));
    assertThat(tt.test().classCounts()).containsExactly(2, 1);
    assertThat(tt.train().classCounts()).containsExactly(8, 4);
    TrainTest again = ImageFolder.load(dir, new ImageFolder.Options(0, 0, 0, 0.2, 3));
    assertThat(again.test().pixels()).containsExactly(tt.test().pixels());
    assertThat(tt.source()).contains("split 20% for testing, seed 3");
    boolean anotherSeedDiffers = false;
    for (long seed = 4; seed < 10 && !anotherSeedDiffers; seed++) {
      anotherSeedDiffers = !Arrays.equals(ImageFolder.load(dir, new ImageFolder.Options(0, 0, 0, 0.2, seed)).test().pixels(), tt.test().pixels());
    }
    assertThat(anotherSeedDiffers).isTrue();
  }

  @Test
  void mixedChannelCountsFailUnlessTheUserSaysWhatToConvertTo() throws IOException {
    Path g = write(grey(2, 2, 90), "png", "x", "grey.png");
    Path c = write(rgb(2, 2, 0x102030), "png", "y", "colour.png");
    write(rgb(2, 2, 0x102030), "png", "y", "colour2.png");
    write(grey(2, 2, 90), "png", "x", "grey2.png");

    ImageFolder.Scan scan = ImageFolder.scan(dir);
    assertThatThrownBy(() -> scan.toTrainTest(ImageFolder.Options.DEFAULTS)).isInstanceOf(DatasetException.class)
        .hasMessageContaining("mixes channel counts: 2 grey images (e.g. " + g).hasMessageContaining("2 RGB images (e.g. " + c)
        .hasMessageContaining("--channels 3").hasMessageContaining("--channels 1");

    TrainTest asRgb = scan.toTrainTest(new ImageFolder.Options(0, 0, 3, 0.5, 0));
    Dataset both = asRgb.train();
    assertThat(both.channels()).isEqualTo(3);
    TrainTest asGrey = scan.toTrainTest(new ImageFolder.Options(0, 0, 1, 0.5, 0));
    assertThat(asGrey.train().channels()).isEqualTo(1);
    int luma = (int) Math.round(0.299 * 0x10 + 0.587 * 0x20 + 0.114 * 0x30);
    for (TrainTest t : new TrainTest[] {asRgb, asGrey}) {
      for (Dataset d : new Dataset[] {t.train(), t.test()}) {
        for (int i = 0; i < d.count(); i++) {
          if (d.label(i) == 0) for (int ch = 0; ch < d.channels(); ch++) assertThat(d.pixel(i, 1, 1, ch)).isEqualTo(90);
          else if (d.channels() == 1) assertThat(d.pixel(i, 0, 0)).isEqualTo(luma);
          else assertThat(new int[] {d.pixel(i, 0, 0, 0), d.pixel(i, 0, 0, 1), d.pixel(i, 0, 0, 2)}).containsExactly(0x10, 0x20, 0x30);
        }
      }
    }
  }

  @Test
  void truncatedAndUnreadableImagesAreNamed() throws IOException {
    write(grey(8, 8, 1), "png", "a", "ok.png");
    Path png = write(grey(32, 32, 50), "png", "b", "cut.png");
    byte[] bytes = Files.readAllBytes(png);
    Files.write(png, Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> ImageFolder.scan(dir)).isInstanceOf(DatasetException.class)
        .hasMessageStartingWith("The image " + png).hasMessageContaining("truncated or damaged");

    Files.delete(png);
    BufferedImage noisy = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    java.util.Random r = new java.util.Random(1);
    for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) noisy.setRGB(x, y, r.nextInt());
    Path jpeg = write(noisy, "jpeg", "b", "cut.jpeg");
    bytes = Files.readAllBytes(jpeg);
    Files.write(jpeg, Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> ImageFolder.scan(dir)).isInstanceOf(DatasetException.class)
        .hasMessageStartingWith("The image " + jpeg).hasMessageContaining("truncated or damaged");

    Files.delete(jpeg);
    Path garbage = dir.resolve("b/garbage.gif");
    Files.writeString(garbage, "this is no gif");
    assertThatThrownBy(() -> ImageFolder.scan(dir)).isInstanceOf(DatasetException.class)
        .hasMessage("The image " + garbage + " is not a PNG, JPEG, BMP or GIF file ImageIO can read; convert or remove it.");
  }

  @Test
  void emptyFoldersAndASingleClassAreRefusedWithOneSentence() throws IOException {
    Files.createDirectories(dir.resolve("a"));
    assertThatThrownBy(() -> ImageFolder.scan(dir)).isInstanceOf(DatasetException.class)
        .hasMessage("The class folder " + dir.resolve("a") + " holds no images (bmp, gif, jpeg, jpg, png); add its images or remove the folder.");
    write(grey(2, 2, 1), "png", "a", "1.png");
    assertThatThrownBy(() -> ImageFolder.scan(dir)).hasMessageContaining("has only the class folder a, but a classifier needs at least two classes");

    Path empty = Files.createDirectories(dir.resolve("nothing/train"));
    assertThatThrownBy(() -> ImageFolder.scan(empty.getParent())).hasMessageStartingWith("The image folder " + empty + " holds no class folders");
    assertThat(ImageFolder.isImageFolder(dir)).isTrue();
    assertThat(ImageFolder.isImageFolder(dir.resolve("a/1.png"))).isFalse();
  }

  @Test
  void testClassesTheTrainingDataLacksAreKeptAndNamedInAWarning() throws IOException {
    write(grey(2, 2, 1), "png", "train", "a", "1.png");
    write(grey(2, 2, 2), "png", "train", "b", "1.png");
    write(grey(2, 2, 3), "png", "test", "a", "1.png");
    write(grey(2, 2, 4), "png", "test", "zebra", "1.png");

    TrainTest tt = ImageFolder.load(dir, ImageFolder.Options.DEFAULTS);
    assertThat(tt.classNames()).containsExactly("a", "b", "zebra");
    assertThat(tt.train().numClasses()).isEqualTo(3);
    assertThat(tt.test().labelsAsInts()).containsExactly(0, 2);
    assertThat(tt.warnings()).singleElement().asString().startsWith("The test images of class zebra have no training images in " + dir.resolve("train"));
  }

  @Test
  void resizingIsBilinearWithAlignedCentres() {
    // 1x2 → 1x4: centres at source x = -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1).
    byte[] out = ImageFolder.resize(new byte[] {0, (byte) 200}, 1, 2, 1, 1, 4);
    assertThat(new int[] {out[0] & 0xFF, out[1] & 0xFF, out[2] & 0xFF, out[3] & 0xFF}).containsExactly(0, 50, 150, 200);
    // 2x2 → 1x1 averages all four.
    assertThat(ImageFolder.resize(new byte[] {0, 100, 100, (byte) 200}, 2, 2, 1, 1, 1)[0] & 0xFF).isEqualTo(100);
    assertThatThrownBy(() -> ImageFolder.Options.parseSize("64x")).hasMessageContaining("write HEIGHTxWIDTH");
    assertThat(ImageFolder.Options.parseSize("64x48")).containsExactly(64, 48);
    assertThat(ImageFolder.Options.parseSize("32")).containsExactly(32, 32);
  }
}
