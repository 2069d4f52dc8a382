package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.peer.federation.PeerNode;
import io.micronaut.context.ApplicationContext;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon on an organisation's own image folders (ipa.peer.data), all of them (no partition), with the metrics
 * beside accuracy in /api/status, /api/rounds and /prometheus, and early stopping watching the configured metric.
 */
class ImageFolderDaemonTest {
  @Test
  void aPeerTrainsOnItsImageFoldersAndReportsEveryMetric(@TempDir Path dir) throws Exception {
    Path images = dir.resolve("scans");
    Random r = new Random(3);
    for (String split : new String[] {"train", "test"}) {
      for (int k = 0; k < 2; k++) {
        for (int i = 0; i < (split.equals("train") ? 40 : 10); i++) {
          BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB); // resized to 8x8 by ipa.peer.image-size
          for (int y = 0; y < 10; y++) for (int x = 0; x < 10; x++) img.setRGB(x, y, ((x < 5) == (k == 0) ? 0xC04020 : 0x2040C0) ^ r.nextInt(0x101010));
          Path f = images.resolve(split).resolve(k == 0 ? "benign" : "malignant").resolve(i + ".png");
          Files.createDirectories(f.getParent());
          ImageIO.write(img, "png", f.toFile());
        }
      }
    }
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    int http = TestPeers.freePort();
    Map<String, String> c = peers.config("a", http);
    c.put("ipa.peer.data", images.toString());
    c.put("ipa.peer.partition", "none");
    c.put("ipa.peer.image-size", "8x8");
    c.put("ipa.peer.class-weights", "balanced");
    c.put("ipa.federation.metric", "auc");
    c.put("ipa.federation.early-stop", "patience:3");
    c.put("ipa.federation.rounds", "1");
    c.put("ipa.federation.exchange-timeout", "1s"); // b never comes: its exchange is a failure, the round goes on
    c.put("ipa.peer.auto-start", "true");
    try (ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      PeerNode node = ctx.getBean(PeerNode.class);
      node.join(Duration.ofMinutes(1));
      ObjectMapper json = new ObjectMapper();
      JsonNode status = json.readTree(TestPeers.get(http, "/api/status", TestPeers.USER, TestPeers.PASSWORD).body());
      assertThat(status.get("state").asText()).isEqualTo("finished");
      assertThat(status.get("metric").asText()).isEqualTo("auc");
      assertThat(status.get("auc").asDouble()).isBetween(0.0, 1.0);
      assertThat(status.get("balancedAccuracy").asDouble()).isBetween(0.0, 1.0);
      assertThat(status.get("macroF1").asDouble()).isBetween(0.0, 1.0);
      JsonNode round = json.readTree(TestPeers.get(http, "/api/rounds", TestPeers.USER, TestPeers.PASSWORD).body()).get(0);
      assertThat(round.get("testAuc").asDouble()).isEqualTo(status.get("auc").asDouble());
      assertThat(round.get("testMacroF1").asDouble()).isEqualTo(status.get("macroF1").asDouble());
      String metrics = TestPeers.get(http, "/prometheus", null, null).body();
      assertThat(metrics).contains("# HELP ipa_auc Test ROC AUC").containsPattern("\nipa_auc [01]\\.\\d+")
          .containsPattern("\nipa_balanced_accuracy [01]\\.\\d+").containsPattern("\nipa_macro_f1 [01]\\.\\d+");
      String provenance = TestPeers.get(http, "/api/model/provenance", TestPeers.USER, TestPeers.PASSWORD).body();
      assertThat(provenance).contains("patience:3,metric:auc");
      assertThat(node.history()).hasSize(1);
    }
  }
}
