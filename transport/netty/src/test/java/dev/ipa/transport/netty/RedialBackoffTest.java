package dev.ipa.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The redial delay as a function of the attempt number, with the jitter source pinned to its extremes. */
class RedialBackoffTest {
  private static final RedialBackoff BACKOFF = new RedialBackoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  /** A jitter source that always draws the lowest value, or always the highest below the bound. */
  private static RandomGenerator always(boolean highest) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException("only bounded draws are expected");
      }

      @Override
      public long nextLong(long bound) {
        return highest ? bound - 1 : 0;
      }
    };
  }

  private static long millis(int attempt, boolean highest) {
    return Duration.ofNanos(BACKOFF.delayNanos(attempt, always(highest))).toMillis();
  }

  @Test
  void theFirstAttemptWaitsBetweenHalfTheBaseAndTheBase() {
    assertThat(millis(0, false)).isEqualTo(50);
    assertThat(millis(0, true)).isEqualTo(100);
  }

  @Test
  void eachAttemptDoublesTheRange() {
    assertThat(millis(1, false)).isEqualTo(100);
    assertThat(millis(1, true)).isEqualTo(200);
    assertThat(millis(3, false)).isEqualTo(400);
    assertThat(millis(3, true)).isEqualTo(800);
  }

  @Test
  void theDelayIsCappedAtTheMaximumAndNeverOverflows() {
    assertThat(millis(6, true)).as("100 ms × 64 is above the cap").isEqualTo(5000);
    assertThat(millis(6, false)).isEqualTo(2500);
    for (int attempt : new int[] {20, 21, 63, 64, 1000, Integer.MAX_VALUE}) {
      assertThat(millis(attempt, true)).as("attempt " + attempt).isEqualTo(5000);
      assertThat(millis(attempt, false)).as("attempt " + attempt).isEqualTo(2500);
    }
    RedialBackoff huge = new RedialBackoff(Duration.ofDays(365), Duration.ofDays(3650));
    assertThat(huge.delayNanos(30, always(true))).as("a shift past Long.MAX_VALUE falls back to the cap")
        .isEqualTo(Duration.ofDays(3650).toNanos());
  }

  @Test
  void randomDrawsStayWithinTheRangeAndVary() {
    SplittableRandom random = new SplittableRandom(1);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 1000; i++) {
      long d = BACKOFF.delayNanos(2, random);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(max).isLessThanOrEqualTo(Duration.ofMillis(400).toNanos());
    assertThat(max - min).as("jitter spreads the delays").isGreaterThan(Duration.ofMillis(150).toNanos());
  }

  @Test
  void aBaseAboveTheMaximumIsRefused() {
    assertThatThrownBy(() -> new RedialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 < base ≤ max");
  }
}
