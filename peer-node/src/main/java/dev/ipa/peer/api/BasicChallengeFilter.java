package dev.ipa.peer.api;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;

/**
 * Adds {@code WWW-Authenticate: Basic realm="ipa"} to every 401, so a browser that opens the dashboard or the API
 * asks for the admin password instead of showing an error page. It runs before the security filter, so it also
 * sees the 401s that filter answers with. Stateless and thread-safe.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class BasicChallengeFilter implements Ordered {
  static final String CHALLENGE = "Basic realm=\"ipa\"";

  @ResponseFilter
  public void challenge(MutableHttpResponse<?> response) {
    if (response.status() == HttpStatus.UNAUTHORIZED && !response.getHeaders().contains(HttpHeaders.WWW_AUTHENTICATE)) {
      response.header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
    }
  }

  @Override
  public int getOrder() {
    return ServerFilterPhase.SECURITY.before();
  }
}
