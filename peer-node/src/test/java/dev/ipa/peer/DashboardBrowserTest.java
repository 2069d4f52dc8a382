package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's chromium, driven by Selenium through {@code /usr/bin/chromedriver},
 * so nothing is downloaded) against a real daemon: the page shows the round and accuracy {@code /api/status}
 * reports, its chart has one point per completed round, pausing from the page changes the state it shows, and
 * the page fits a phone-width screen. Screenshots go to {@code target/dashboard-*.png} for people to look at.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pageShowsWhatTheApiReportsAndPauseChangesTheState(@TempDir Path dir) throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail("The dashboard test needs Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
          + "; install them with 'apt-get install -y chromium chromium-driver' (.ci/run and scripts/test-setup.sh do).");
    }
    TestPeers peers = new TestPeers(dir, List.of("a"));
    int http = TestPeers.freePort();
    Map<String, String> c = peers.config("a", http);
    c.put("ipa.federation.rounds", "500");
    try (ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      ChromeDriver browser = browser(dir.resolve("chromium-profile"));
      try {
        browser.get("http://127.0.0.1:" + http + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.until(ExpectedConditions.textToBe(By.id("state"), "idle"));
        assertThat(browser.findElement(By.id("peer")).getText()).isEqualTo("a");
        assertThat(browser.findElement(By.id("federation")).getText()).isEqualTo("test");

        browser.findElement(By.id("start")).click();
        wait.until(d -> intText(d.findElement(By.id("round")).getText()) >= 2);
        assertThat(browser.findElement(By.id("state")).getText()).isIn("training", "waiting");

        browser.findElement(By.id("pause")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept(); // the confirmation
        wait.until(ExpectedConditions.textToBe(By.id("state"), "paused"));

        // Paused, the figures hold still: after the next poll the page must show exactly what the API says.
        JsonNode status = JSON.readTree(TestPeers.get(http, "/api/status", TestPeers.USER, TestPeers.PASSWORD).body());
        assertThat(status.get("state").asText()).isEqualTo("paused");
        awaitNextPoll(browser, wait);
        int round = status.get("round").asInt();
        assertThat(browser.findElement(By.id("round")).getText()).isEqualTo(String.valueOf(round));
        assertThat(browser.findElement(By.id("accuracy")).getText())
            .isEqualTo(String.format(Locale.ROOT, "%.4f", status.get("accuracy").asDouble()));
        Object points = browser.executeScript("return window.dashboard.charts.accuracy.data[0].length;");
        assertThat(((Number) points).intValue()).as("one chart point per completed round").isEqualTo(round + 1);
        Object lastX = browser.executeScript("const d = window.dashboard.charts.accuracy.data; return d[0][d[0].length - 1];");
        assertThat(((Number) lastX).intValue()).isEqualTo(round);
        Object lastY = browser.executeScript("const d = window.dashboard.charts.accuracy.data; return d[1][d[1].length - 1];");
        assertThat(((Number) lastY).doubleValue()).isEqualTo(status.get("accuracy").asDouble());
        assertThat(browser.findElement(By.id("resume")).isEnabled()).isTrue();
        assertThat(browser.findElement(By.id("pause")).isEnabled()).isFalse();
        assertThat(browser.findElement(By.id("privacy")).isDisplayed()).as("no DP, so no privacy section").isFalse();
        assertThat(browser.findElement(By.id("download")).getAttribute("href")).endsWith("/api/model");
        screenshot(browser, "dashboard-1280x800.png");

        browser.manage().window().setSize(new Dimension(390, 844));
        awaitNextPoll(browser, wait);
        long overflow = (Long) browser.executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
        assertThat(overflow).as("nothing wider than a phone screen").isLessThanOrEqualTo(0);
        assertThat(browser.findElement(By.id("state")).isDisplayed()).isTrue();
        screenshot(browser, "dashboard-phone.png");

        browser.findElement(By.id("resume")).click();
        wait.until(d -> intText(d.findElement(By.id("round")).getText()) > round);
        assertThat(browser.findElement(By.id("state")).getText()).isNotEqualTo("paused");
      } finally {
        browser.quit();
      }
    }
  }

  private static ChromeDriver browser(Path profile) {
    // Debian's driver, never Selenium Manager's download.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toString());
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1280,800");
    ChromeDriver d = new ChromeDriver(o);
    // The admin credentials on every request, as a browser sends them once the user has typed them in.
    String auth = "Basic " + Base64.getEncoder().encodeToString((TestPeers.USER + ":" + TestPeers.PASSWORD).getBytes(StandardCharsets.UTF_8));
    d.executeCdpCommand("Network.enable", Map.of());
    d.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization", auth)));
    return d;
  }

  private static void awaitNextPoll(ChromeDriver browser, WebDriverWait wait) {
    int polls = polls(browser);
    wait.until(d -> polls((ChromeDriver) d) > polls);
  }

  private static int polls(ChromeDriver browser) {
    Object p = ((JavascriptExecutor) browser).executeScript("return Number(document.body.dataset.polls || 0);");
    return ((Number) p).intValue();
  }

  private static int intText(String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void screenshot(ChromeDriver browser, String name) throws Exception {
    Path out = Path.of("target", name);
    Files.createDirectories(out.getParent());
    Files.write(out, browser.getScreenshotAs(OutputType.BYTES));
  }
}
