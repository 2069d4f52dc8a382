package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ipa.peer.federation.PeerNode;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Restarting a peer whose federation has finished says so at once instead of waiting an exchange timeout for
 * neighbours that have finished too, and reports {@code finished}, not {@code stopped}.
 */
class FinishedRestartTest {
  @Test
  void aFinishedPeerRestartedHasNothingToDoAndSaysSo(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    Map<String, String> c = peers.config("a", TestPeers.freePort());
    c.put("ipa.peer.auto-start", "true");
    c.put("ipa.federation.rounds", "1");
    c.put("ipa.federation.exchange-timeout", "1s"); // b never comes: its exchange is a failure, the round goes on
    try (ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      PeerNode node = ctx.getBean(PeerNode.class);
      node.join(Duration.ofMinutes(1));
      assertThat(node.status().state()).isEqualTo("finished");
      assertThat(node.status().reason()).isEqualTo("Completed its one round.");
    }

    c.put("ipa.federation.exchange-timeout", "5m");
    Logger log = (Logger) LoggerFactory.getLogger(PeerNode.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    long t0 = System.nanoTime();
    try (ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      PeerNode node = ctx.getBean(PeerNode.class);
      node.join(Duration.ofSeconds(30));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("no wait for the neighbour").isLessThan(Duration.ofSeconds(30));
      assertThat(node.status().state()).isEqualTo("finished");
      assertThat(node.history()).hasSize(1);
      assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).startsWith("Peer a finished at round 0; nothing to do"))
          .noneSatisfy(m -> assertThat(m).contains("is waiting for peers"));
    } finally {
      log.detachAppender(events);
    }
  }
}
