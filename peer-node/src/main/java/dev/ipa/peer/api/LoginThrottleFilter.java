package dev.ipa.peer.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import java.net.InetAddress;
import java.time.Duration;

/**
 * Answers 429 with {@code Retry-After} to a request that carries credentials from an address that is backing off
 * after failed logins ({@link LoginThrottle}), before the security filter checks them: the right password is
 * refused too while the block lasts, so a guesser learns nothing during it. Requests without credentials pass (a
 * Prometheus scraper, {@code /health}). Stateless; thread-safe.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class LoginThrottleFilter implements Ordered {
  private final LoginThrottle throttle;

  public LoginThrottleFilter(LoginThrottle throttle) {
    this.throttle = throttle;
  }

  @RequestFilter
  @Nullable
  public HttpResponse<?> refuseWhileBlocked(HttpRequest<?> request) {
    if (!request.getHeaders().contains(HttpHeaders.AUTHORIZATION)) return null;
    InetAddress address = request.getRemoteAddress().getAddress();
    if (address == null) return null;
    Duration left = throttle.blockedFor(address);
    if (left.isZero()) return null;
    throttle.refused();
    long seconds = Math.max(1, (left.toMillis() + 999) / 1000);
    return HttpResponse.status(HttpStatus.TOO_MANY_REQUESTS)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
        .contentType(MediaType.TEXT_PLAIN_TYPE)
        .body("Too many failed logins from " + address.getHostAddress() + "; try again in " + seconds + " s.");
  }

  @Override
  public int getOrder() {
    return ServerFilterPhase.SECURITY.before() - 1;
  }
}
