package dev.ipa.peer.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipa.peer.config.LoginBackoff;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The back-off's arithmetic on a hand-driven clock: when a block starts, doubles, stops at the cap and resets. */
class LoginThrottleTest {
  private long now;
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final LoginThrottle throttle = new LoginThrottle(new LoginBackoff(3, Duration.ofSeconds(1), Duration.ofSeconds(4)),
      metrics, () -> now);

  private void advance(Duration d) {
    now += d.toNanos();
  }

  @Test
  void blocksDoubleUpToTheCapAndASuccessResets() throws Exception {
    InetAddress a = InetAddress.getByName("127.0.0.1");
    InetAddress b = InetAddress.getByName("127.0.0.2");
    throttle.failed(a, "admin");
    throttle.failed(a, "admin");
    assertThat(throttle.blockedFor(a)).isZero();
    throttle.failed(a, "admin");
    assertThat(throttle.blockedFor(a)).isEqualTo(Duration.ofSeconds(1));
    assertThat(throttle.blockedFor(b)).isZero();
    advance(Duration.ofMillis(400));
    assertThat(throttle.blockedFor(a)).isEqualTo(Duration.ofMillis(600));
    advance(Duration.ofMillis(600));
    assertThat(throttle.blockedFor(a)).isZero();
    throttle.failed(a, "admin");
    assertThat(throttle.blockedFor(a)).isEqualTo(Duration.ofSeconds(2));
    advance(Duration.ofSeconds(2));
    throttle.failed(a, "admin");
    assertThat(throttle.blockedFor(a)).isEqualTo(Duration.ofSeconds(4));
    advance(Duration.ofSeconds(4));
    throttle.failed(a, "admin");
    assertThat(throttle.blockedFor(a)).as("capped").isEqualTo(Duration.ofSeconds(4));
    advance(Duration.ofSeconds(4));
    throttle.succeeded(a);
    throttle.failed(a, "admin");
    throttle.failed(a, "admin");
    assertThat(throttle.blockedFor(a)).as("a success forgets the failures").isZero();
    assertThat(metrics.get("ipa.admin.login.failures").counter().count()).isEqualTo(8);
  }

  @Test
  void failuresFurtherApartThanTheWindowStartTheCountAgain() throws Exception {
    InetAddress a = InetAddress.getByName("127.0.0.1");
    throttle.failed(a, "admin");
    throttle.failed(a, "admin");
    advance(LoginBackoff.WINDOW.plusSeconds(1));
    throttle.failed(a, "admin");
    assertThat(throttle.blockedFor(a)).isZero();
  }

  @Test
  void aUserNameIsClippedAndEscapedForTheLog() {
    assertThat(LoginThrottle.shown("ad\nmin")).isEqualTo("ad\\x0amin");
    assertThat(LoginThrottle.shown("x".repeat(100))).isEqualTo("x".repeat(32) + "…");
  }
}
