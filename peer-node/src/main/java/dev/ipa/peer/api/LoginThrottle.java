package dev.ipa.peer.api;

import dev.ipa.peer.config.LoginBackoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed admin logins per client address, and the back-off they earn ({@link LoginBackoff}): the authentication
 * provider reports each failure and success, {@link LoginThrottleFilter} refuses a blocked address before its
 * credentials are checked. The address is the TCP peer's; {@code X-Forwarded-For} is not believed, so behind a
 * reverse proxy every client shares the proxy's address.
 *
 * <p>Logs are bounded: one WARN at an address's first failure in a window and one each time it is blocked (the
 * blocks double, so a steady attack costs a line per doubling), never the password; the user name given is clipped
 * and escaped. Metrics: {@code ipa_admin_login_failures_total} and {@code ipa_admin_login_blocked_total}.
 *
 * <p>At most {@value #MAX_CLIENTS} addresses are tracked; past that, addresses neither blocked nor failing within
 * the window are forgotten first. Thread-safe.
 */
@Singleton
public final class LoginThrottle {
  private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);
  static final int MAX_CLIENTS = 10_000;
  private static final long WINDOW = LoginBackoff.WINDOW.toNanos();

  private final LoginBackoff policy;
  private final LongSupplier clock;
  private final Counter failures;
  private final Counter blocked;
  private final Map<InetAddress, Client> clients = new ConcurrentHashMap<>();

  private static final class Client {
    int failures;
    int blocks;
    long lastFailure;
    long blockedUntil;
  }

  @Inject
  public LoginThrottle(LoginBackoff policy, MeterRegistry metrics) {
    this(policy, metrics, System::nanoTime);
  }

  LoginThrottle(LoginBackoff policy, MeterRegistry metrics, LongSupplier clock) {
    this.policy = policy;
    this.clock = clock;
    this.failures = Counter.builder("ipa.admin.login.failures").description("Admin logins refused for wrong credentials").register(metrics);
    this.blocked = Counter.builder("ipa.admin.login.blocked")
        .description("Admin requests answered 429 because their address is backing off after failed logins").register(metrics);
  }

  /** How long {@code address} is still blocked; zero if it may try. */
  public Duration blockedFor(InetAddress address) {
    Client c = clients.get(address);
    if (c == null) return Duration.ZERO;
    long left;
    synchronized (c) {
      left = c.blockedUntil - clock.getAsLong();
    }
    return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
  }

  /** A request from a blocked address was refused without checking its credentials. */
  public void refused() {
    blocked.increment();
  }

  /** Wrong credentials from {@code address}, naming {@code user}. */
  public void failed(InetAddress address, String user) {
    failures.increment();
    long now = clock.getAsLong();
    if (clients.size() >= MAX_CLIENTS && !clients.containsKey(address)) forgetIdle(now);
    Client c = clients.computeIfAbsent(address, a -> new Client());
    int count;
    Duration block = null;
    synchronized (c) {
      if (c.failures > 0 && now - c.lastFailure > WINDOW) {
        c.failures = 0;
        c.blocks = 0;
      }
      count = ++c.failures;
      c.lastFailure = now;
      if (count >= policy.freeFailures()) {
        block = policy.block(c.blocks++);
        c.blockedUntil = now + block.toNanos();
      }
    }
    String who = shown(user);
    if (block != null) {
      LOG.warn("{} failed admin logins from {} (last as user '{}'); it is answered 429 for {} s, and each further failure doubles that up to {} s.",
          count, address.getHostAddress(), who, block.toSeconds(), policy.max().toSeconds());
    } else if (count == 1) {
      LOG.warn("Failed admin login from {} as user '{}'; after {} failures within {} min it is blocked for a while.",
          address.getHostAddress(), who, policy.freeFailures(), LoginBackoff.WINDOW.toMinutes());
    }
  }

  /** Right credentials from {@code address}: its failures are forgotten. */
  public void succeeded(InetAddress address) {
    clients.remove(address);
  }

  private void forgetIdle(long now) {
    clients.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        return e.getValue().blockedUntil - now <= 0 && now - e.getValue().lastFailure > WINDOW;
      }
    });
    if (clients.size() >= MAX_CLIENTS) {
      clients.entrySet().removeIf(e -> {
        synchronized (e.getValue()) {
          return e.getValue().blockedUntil - now <= 0;
        }
      });
    }
  }

  /** A user name as a log line may show it: at most 32 characters, control characters escaped. */
  static String shown(String user) {
    if (user == null) return "";
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < user.length() && out.length() < 32; i++) {
      char ch = user.charAt(i);
      out.append(Character.isISOControl(ch) ? String.format("\\x%02x", (int) ch & 0xff) : String.valueOf(ch));
    }
    if (out.length() >= 32 && user.length() > 32) out.append('…');
    return out.toString();
  }
}
