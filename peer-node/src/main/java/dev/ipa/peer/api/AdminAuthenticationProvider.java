package dev.ipa.peer.api;

import dev.ipa.peer.config.PeerConfig;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.AuthenticationFailureReason;
import io.micronaut.security.authentication.AuthenticationRequest;
import io.micronaut.security.authentication.AuthenticationResponse;
import io.micronaut.security.authentication.provider.HttpRequestAuthenticationProvider;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks HTTP basic credentials against {@code ipa.admin.username} and {@code ipa.admin.password}. There is one
 * admin account and it may do everything; comparisons run in constant time. Each failure and success is reported to
 * the {@link LoginThrottle}, which backs off an address that keeps failing. Thread-safe.
 */
@Singleton
public final class AdminAuthenticationProvider<B> implements HttpRequestAuthenticationProvider<B> {
  private final byte[] username;
  private final byte[] password;
  private final LoginThrottle throttle;

  /** The credentials come from the validated configuration, which refuses to start without them. */
  public AdminAuthenticationProvider(PeerConfig config, LoginThrottle throttle) {
    this.username = config.adminUsername().getBytes(StandardCharsets.UTF_8);
    this.password = config.adminPassword().getBytes(StandardCharsets.UTF_8);
    this.throttle = throttle;
  }

  @Override
  public AuthenticationResponse authenticate(@Nullable HttpRequest<B> request, AuthenticationRequest<String, String> auth) {
    byte[] u = String.valueOf(auth.getIdentity()).getBytes(StandardCharsets.UTF_8);
    byte[] p = String.valueOf(auth.getSecret()).getBytes(StandardCharsets.UTF_8);
    // Both comparisons always run, so timing does not tell which one failed.
    boolean userOk = MessageDigest.isEqual(u, username);
    boolean passOk = MessageDigest.isEqual(p, password);
    InetAddress client = request == null || request.getRemoteAddress() == null ? null : request.getRemoteAddress().getAddress();
    if (username.length > 0 && password.length > 0 && userOk & passOk) {
      if (client != null) throttle.succeeded(client);
      return AuthenticationResponse.success(auth.getIdentity());
    }
    if (client != null) throttle.failed(client, String.valueOf(auth.getIdentity()));
    return AuthenticationResponse.failure(AuthenticationFailureReason.CREDENTIALS_DO_NOT_MATCH);
  }
}
