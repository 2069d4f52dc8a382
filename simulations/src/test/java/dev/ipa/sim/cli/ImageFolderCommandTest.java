package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --data DIR} of image folders through the command line: describe, train and simulate (every partitioner),
 * grey and RGB, the MLP, linear and CNN models, and the metrics beside accuracy. The images are made here with
 * ImageIO: class k is a bright square in quadrant k over noise, so a model can learn them in one epoch.
 */
class ImageFolderCommandTest {
  @TempDir static Path root;
  static Path grey;
  static Path rgb;

  private static BufferedImage image(int type, int h, int w, int quadrant, Random r, boolean colour) {
    BufferedImage img = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean inside = (y < h / 2) == (quadrant < 2) && (x < w / 2) == (quadrant % 2 == 0);
        int v = Math.min(255, (inside ? 180 : 20) + r.nextInt(60));
        img.setRGB(x, y, colour ? (v << 16) | ((255 - v) << 8) | (quadrant * 60) : (v << 16) | (v << 8) | v);
      }
    }
    return img;
  }

  @BeforeAll
  static void makeFolders() throws IOException {
    Random r = new Random(7);
    grey = root.resolve("grey");
    String[] classes = {"north-east", "north-west", "south-east", "south-west"};
    for (int k = 0; k < 4; k++) {
      for (int i = 0; i < 40; i++) {
        Path f = grey.resolve(classes[k]).resolve(i + (i % 2 == 0 ? ".png" : ".jpg"));
        Files.createDirectories(f.getParent());
        int side = i % 10 == 0 ? 24 : 12; // a few larger images, resized to the common 12x12
        ImageIO.write(image(BufferedImage.TYPE_BYTE_GRAY, side, side, k, r, false), i % 2 == 0 ? "png" : "jpeg", f.toFile());
      }
    }
    rgb = root.resolve("rgb");
    for (String split : new String[] {"train", "test"}) {
      for (int k = 0; k < 2; k++) {
        for (int i = 0; i < (split.equals("train") ? 60 : 20); i++) {
          Path f = rgb.resolve(split).resolve(classes[k]).resolve(i + ".png");
          Files.createDirectories(f.getParent());
          ImageIO.write(image(BufferedImage.TYPE_INT_RGB, 8, 8, k, r, true), "png", f.toFile());
        }
      }
    }
  }

  @Test
  void describeListsClassesCountsSizesAndChannels() {
    CliRun run = CliRun.of("data", "describe", "--data", grey.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("160 images, 4 classes, one level").contains("north-east").contains("south-west")
        .contains("12x12: 144, 24x24: 16; loaded at 12x12 (the most common").contains("Channels: 160 grey, 0 RGB");
    CliRun colour = CliRun.of("data", "describe", "--data", rgb.toString());
    assertThat(colour.out()).contains("160 images, 2 classes, train/ and test/ folders").contains("Channels: 0 grey, 160 RGB");
  }

  @Test
  void trainOnGreyImagesWritesEveryMetric(@TempDir Path out) throws Exception {
    CliRun run = CliRun.of("train", "--data", grey.toString(), "--epochs", "2", "--model", "linear", "--lr", "0.01", "--metric", "macro-f1",
        "--class-weights", "balanced", "--out", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("Image folders from " + grey + " (split 20% for testing, seed 0): 128 train, 32 test, 12x12, 4 classes")
        .contains("Model: linear 144-4").contains("test macro-f1");
    JsonNode r = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertThat(r.at("/config/metric").asText()).isEqualTo("macro-f1");
    assertThat(r.at("/config/classWeights").asText()).isEqualTo("balanced");
    assertThat(r.at("/final/testAccuracy").asDouble()).isGreaterThan(0.6);
    assertThat(r.at("/final/testMacroF1").asDouble()).isBetween(0.3, 1.0);
    assertThat(r.at("/final/testBalancedAccuracy").asDouble()).isBetween(0.3, 1.0);
    assertThat(r.at("/final").has("testAuc")).as("AUC only for two classes").isFalse();
    assertThat(Files.readAllBytes(out.resolve("metrics.png"))).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"iid", "dirichlet:0.5", "disjoint", "power-law", "class-imbalance"})
  void simulateSplitsImageFoldersWithEveryPartitioner(String partition, @TempDir Path out) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", grey.toString(), "--peers", "2", "--partition", partition, "--rounds", "1", "--model", "mlp:16",
        "--no-standalone", "--out", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    JsonNode peer = r.at("/rounds/0/peers/1");
    assertThat(peer.get("accuracy").asDouble()).isBetween(0.0, 1.0);
    assertThat(peer.get("balancedAccuracy").asDouble()).isBetween(0.0, 1.0);
    assertThat(peer.get("macroF1").asDouble()).isBetween(0.0, 1.0);
    assertThat(r.at("/fairness").isMissingNode()).isTrue();
    List<String> csv = Files.readAllLines(out.resolve("rounds.csv"));
    assertThat(csv.get(0)).endsWith(",balancedAccuracy,macroF1,auc,epsilon,consensusAccuracy,consensusPersonalAccuracy,mixAccuracy");
  }

  @Test
  void simulateOnRgbTrainTestFoldersWithTheCnnLeadsWithAuc(@TempDir Path out) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", rgb.toString(), "--peers", "2", "--partition", "iid", "--rounds", "2", "--model", "cnn:4,4,8",
        "--metric", "auc", "--early-stop", "patience:5", "--out", out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("8x8x3, 2 classes (north-east, north-west)").contains("standalone AUC").contains("federated AUC")
        .contains("federated acc").contains("mean AUC").contains("mean bal acc").contains("mean macro-F1");
    JsonNode r = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    assertThat(r.at("/config/model").asText()).isEqualTo("cnn:4,4,8");
    assertThat(r.at("/config/earlyStop").asText()).isEqualTo("patience:5,metric:auc");
    assertThat(r.at("/final/meanAuc").asDouble()).isBetween(0.5, 1.0);
    assertThat(r.at("/rounds/1/peers/0/auc").asDouble()).isBetween(0.0, 1.0);
    assertThat(Files.readString(out.resolve("report.html"))).contains("ROC AUC").contains("<th>mean AUC</th>");
  }

  @Test
  void aucOnMoreThanTwoClassesAndMixedChannelsFailWithOneSentence() throws IOException {
    CliRun auc = CliRun.of("train", "--data", grey.toString(), "--metric", "auc");
    assertThat(auc.exitCode()).isEqualTo(2);
    assertThat(auc.err().strip()).isEqualTo("ipa train: The metric auc (ROC AUC) needs two classes, but the data has 4; use accuracy, balanced-accuracy or macro-f1.");

    Path mixed = root.resolve("mixed");
    Files.createDirectories(mixed.resolve("a"));
    Files.createDirectories(mixed.resolve("b"));
    ImageIO.write(image(BufferedImage.TYPE_BYTE_GRAY, 4, 4, 0, new Random(1), false), "png", mixed.resolve("a/1.png").toFile());
    ImageIO.write(image(BufferedImage.TYPE_INT_RGB, 4, 4, 1, new Random(1), true), "png", mixed.resolve("b/1.png").toFile());
    ImageIO.write(image(BufferedImage.TYPE_INT_RGB, 4, 4, 1, new Random(1), true), "png", mixed.resolve("b/2.png").toFile());
    CliRun run = CliRun.of("simulate", "--data", mixed.toString(), "--rounds", "1");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("ipa simulate: The image folder " + mixed + " mixes channel counts").doesNotContain("\tat ");
    assertThat(run.err().strip().lines()).hasSize(1);
  }
}
