package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.transport.LinkState;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.RecordingInbox;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 16's log flood: 2,000 connections of 2 KiB of random bytes gave 2,000 WARN lines, each with a hex dump of
 * about 2 KB of the attacker's bytes. Here 200 such connections over real loopback sockets reach a real
 * NettyTransport with mutual TLS; the log must hold a few short lines and one count of the rest, while the honest
 * link goes on working.
 */
class GarbageConnectionLogTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int CONNECTIONS = 200;
  private static final Pattern LONG_HEX = Pattern.compile("[0-9a-fA-F]{" + (2 * RemoteWarnings.SHOWN_BYTES + 1) + ",}");

  @Test
  void garbageConnectionsLeaveAFewShortWarningsAndTheHonestLinkWorks(@TempDir Path dir) throws Exception {
    LoopbackFixture f = new LoopbackFixture(dir, List.of("a", "b"));
    // A window longer than the test, so that exactly BURST lines may show and everything else is counted.
    RemoteWarnings bounded = new RemoteWarnings(LoggerFactory.getLogger(PeerConnection.class), RemoteWarnings.BURST,
        Duration.ofHours(1), System::nanoTime);
    NettyTransport a = new NettyTransport(f.secure("a"), bounded);
    NettyTransport b = new NettyTransport(f.secure("b"));
    try (LogCapture log = new LogCapture()) {
      RecordingInbox inboxA = new RecordingInbox();
      RecordingInbox inboxB = new RecordingInbox();
      a.start(inboxA);
      b.start(inboxB);
      assertThat(RecordingInbox.await(WAIT, () -> up(a, "b") && up(b, "a"))).isTrue();
      assertThat(log.warnings()).isEmpty();

      Random random = new Random(16);
      for (int i = 0; i < CONNECTIONS; i++) sendGarbage(a.localAddress(), random);
      bounded.flushAll();

      List<String> warnings = log.warnings();
      List<String> summaries = warnings.stream().filter(w -> w.startsWith("Suppressed ")).toList();
      List<String> shown = warnings.stream().filter(w -> !w.startsWith("Suppressed ")).toList();
      assertThat(shown).hasSize(RemoteWarnings.BURST).allMatch(w -> w.contains("TLS handshake with /127.0.0.1"));
      assertThat(summaries).containsExactly("Suppressed " + (CONNECTIONS - RemoteWarnings.BURST)
          + " similar warnings about connections from 127.0.0.1 (at most 3 are shown per PT1H).");
      for (String w : warnings) {
        assertThat(w.length()).as(w).isLessThan(300);
        assertThat(LONG_HEX.matcher(w).find()).as("no more than 16 bytes of hex in: " + w).isFalse();
      }
      // What a line keeps of the garbage: with the JDK's TLS, whose error hex-dumps the record, its first 16 bytes
      // and how many there were; BoringSSL's error quotes none of it.
      assertThat(shown.get(0)).satisfiesAnyOf(
          w -> assertThat(w).containsPattern("not an SSL/TLS record: 42[0-9a-f]{30}… \\(\\d+ bytes\\)"),
          w -> assertThat(w).endsWith("not an SSL/TLS record"));

      // The honest peers never lost their link and still exchange snapshots.
      assertThat(inboxA.linkChanges).containsExactly(new RecordingInbox.LinkChange("b", true));
      b.publish(new PeerSnapshot("b", 0, 0, 1, 10, new byte[] {1, 2, 3}), List.of("a"));
      a.publish(new PeerSnapshot("a", 0, 0, 1, 10, new byte[] {4, 5}), List.of("b"));
      assertThat(RecordingInbox.await(WAIT, () -> inboxA.snapshots.size() == 1 && inboxB.snapshots.size() == 1)).isTrue();
      assertThat(inboxA.snapshots.get(0).payload()).containsExactly(1, 2, 3);
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void clippedTextKeepsSixteenBytesOfAHexDumpAndEscapesControlCharacters() {
    String dump = "not an SSL/TLS record: " + "ab".repeat(2048);
    assertThat(RemoteWarnings.clip(dump)).isEqualTo("not an SSL/TLS record: " + "ab".repeat(16) + "… (2048 bytes)");
    assertThat(RemoteWarnings.clip("peer\nWARN forged line\u0000")).isEqualTo("peer\\x0aWARN forged line\\x00");
    assertThat(RemoteWarnings.clip("x".repeat(5000))).isEqualTo("x".repeat(400) + "… (5000 characters)");
    assertThat(RemoteWarnings.clip("y".repeat(100), RemoteWarnings.HELLO_TEXT)).isEqualTo("y".repeat(64) + "… (100 characters)");
    assertThat(RemoteWarnings.clip("short and plain")).isEqualTo("short and plain");
  }

  @Test
  void aHostPastItsBurstIsCountedAndSummarisedWhenItsWindowEnds() {
    long[] now = {0};
    List<String> lines = new java.util.ArrayList<>();
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.ipa.transport.test-warnings");
    ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ch.qos.logback.core.AppenderBase<>() {
      @Override
      protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
        lines.add(e.getFormattedMessage());
      }
    };
    appender.start();
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    logger.setAdditive(false);
    logger.addAppender(appender);
    try {
      RemoteWarnings w = new RemoteWarnings(logger, 2, Duration.ofSeconds(10), () -> now[0]);
      InetSocketAddress attacker = new InetSocketAddress("127.0.0.9", 4000);
      InetSocketAddress other = new InetSocketAddress("127.0.0.10", 4000);
      for (int i = 0; i < 5; i++) w.warn(new InetSocketAddress("127.0.0.9", 4000 + i), "bad {}", "x" + i);
      w.warn(other, "bad {}", "other");
      assertThat(lines).containsExactly("bad x0", "bad x1", "bad other");
      w.flush(); // windows not over: nothing yet
      assertThat(lines).hasSize(3);
      now[0] = Duration.ofSeconds(11).toNanos();
      w.warn(attacker, "bad {}", "again");
      assertThat(lines.subList(3, lines.size())).containsExactly(
          "Suppressed 3 similar warnings about connections from 127.0.0.9 (at most 2 are shown per PT10S).", "bad again");
      w.flush(); // 127.0.0.10 had nothing suppressed; 127.0.0.9's new window is not over
      assertThat(lines).hasSize(5);
    } finally {
      logger.detachAppender(appender);
    }
  }

  private static boolean up(NettyTransport t, String peer) {
    LinkState l = t.links().get(peer);
    return l != null && l.connected();
  }

  /** One connection that sends 2 KiB of random bytes (not a TLS record: the first is 0x42) and waits for the close. */
  private static void sendGarbage(InetSocketAddress to, Random random) throws IOException {
    byte[] junk = new byte[2048];
    random.nextBytes(junk);
    junk[0] = 0x42;
    try (Socket s = new Socket()) {
      s.connect(to, 10_000);
      s.setSoTimeout(30_000);
      s.getOutputStream().write(junk);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      byte[] sink = new byte[4096];
      while (in.read(sink) >= 0) {
        // drain the TLS alert until the peer closes
      }
    } catch (java.net.SocketException reset) {
      // The peer closed while bytes were still unread on its side: the connection ended either way.
    }
  }
}
