package dev.ipa.transport.netty;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long to wait before redialing a peer: exponential backoff with jitter, a pure function of the attempt number
 * and a jitter source. Attempt 0 waits in {@code [base/2, base]}, each further attempt doubles that range, up to
 * {@code [max/2, max]}. The jitter keeps peers that lost each other at once from redialing in lockstep.
 *
 * @param base delay range of the first attempt; positive
 * @param max  cap of the delay; at least {@code base}
 */
record RedialBackoff(Duration base, Duration max) {

  RedialBackoff {
    if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
      throw new IllegalArgumentException("A redial backoff needs 0 < base ≤ max, got base " + base + " and max " + max + ".");
    }
  }

  /** The delay before redial attempt {@code attempt} (0 for the first after a loss), drawn with {@code jitter}. */
  long delayNanos(int attempt, RandomGenerator jitter) {
    long maxNanos = max.toNanos();
    long delay = base.toNanos() << Math.min(Math.max(attempt, 0), 20);
    delay = delay <= 0 || delay > maxNanos ? maxNanos : delay;
    return delay / 2 + jitter.nextLong(delay / 2 + 1);
  }
}
