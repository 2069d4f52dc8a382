package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ipa.peer.federation.PeerNode;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A peer whose neighbours are not up says whom it waits for, and its status says waiting. */
class WaitingPeerTest {
  @Test
  void aPeerAloneSaysWhomItWaitsFor(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b", "c"));
    int http = TestPeers.freePort();
    Map<String, String> c = peers.config("a", http);
    c.put("ipa.peer.auto-start", "true");
    c.put("ipa.federation.exchange-timeout", "30s");
    Logger log = (Logger) LoggerFactory.getLogger(PeerNode.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    try (ApplicationContext ctx = PeerDaemon.start(TestPeers.args(c))) {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (events.list.stream().noneMatch(e -> e.getFormattedMessage().contains("waiting for peers")) && System.nanoTime() < deadline) Thread.sleep(20);
      assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).matches("Peer a is waiting for peers b, c since \\d{4}-\\d\\d-\\d\\dT.*"));
      assertThat(TestPeers.get(http, "/api/status", TestPeers.USER, TestPeers.PASSWORD).body()).contains("\"state\":\"waiting\"")
          .contains("\"waitingFor\":[\"b (down)\",\"c (down)\"]").contains("\"reason\":\"Waiting for b (down), c (down).\"");
    } finally {
      log.detachAppender(events);
    }
  }
}
