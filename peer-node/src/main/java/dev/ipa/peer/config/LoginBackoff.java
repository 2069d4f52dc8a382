package dev.ipa.peer.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the admin API backs off a client address that keeps sending wrong credentials: the first {@code freeFailures}
 * failures within {@link #WINDOW} pass; the one that reaches the limit blocks the address for {@code base}, and each
 * further failure after a block ends blocks it twice as long, up to {@code max}. A success resets the address.
 * While blocked, every request from it that carries credentials is answered 429 with {@code Retry-After}, the right
 * password included, so guessing gains nothing from going on. Validated once; immutable.
 *
 * @param freeFailures failures within the window before the first block ({@code ipa.admin.login-failures}), ≥ 1
 * @param base         the first block ({@code ipa.admin.login-backoff}), positive
 * @param max          the longest block ({@code ipa.admin.login-backoff-max}), ≥ base
 */
public record LoginBackoff(int freeFailures, Duration base, Duration max) {
  /** Failures further apart than this are forgotten: the count starts again. */
  public static final Duration WINDOW = Duration.ofMinutes(15);
  public static final LoginBackoff DEFAULTS = new LoginBackoff(5, Duration.ofSeconds(1), Duration.ofMinutes(5));

  public LoginBackoff {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(max, "max");
    if (freeFailures < 1) {
      throw new IllegalArgumentException("ipa.admin.login-failures must be ≥ 1 failed login before a back-off, got " + freeFailures + ".");
    }
    if (base.isNegative() || base.isZero()) throw new IllegalArgumentException("ipa.admin.login-backoff must be a positive duration such as 1s, got " + base + ".");
    if (max.compareTo(base) < 0) {
      throw new IllegalArgumentException("ipa.admin.login-backoff-max (" + max + ") must not be shorter than ipa.admin.login-backoff (" + base + ").");
    }
  }

  /** How long the address is blocked at its {@code block}-th block (0 = the first): base · 2^block, at most max. */
  public Duration block(int block) {
    Duration d = base;
    for (int i = 0; i < block && d.compareTo(max) < 0; i++) d = d.multipliedBy(2);
    return d.compareTo(max) > 0 ? max : d;
  }
}
