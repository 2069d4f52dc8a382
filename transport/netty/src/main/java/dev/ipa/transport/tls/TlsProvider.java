package dev.ipa.transport.tls;

import java.util.Locale;

/**
 * Which TLS implementation runs the handshakes and record encryption (key {@code ipa.transport.tls-provider}).
 * The certificates, the TLS 1.3-only policy and the mutual authentication checks are the same for each.
 *
 * <ul>
 *   <li>{@link #AUTO} (the default): BoringSSL through Netty's OpenSSL provider when its native library loads,
 *       otherwise the JDK's SSLEngine, with a WARN saying why;</li>
 *   <li>{@link #OPENSSL}: BoringSSL or fail at start-up (for a deployment that must not run at the JDK's speed);</li>
 *   <li>{@link #JDK}: the JDK's SSLEngine (for a platform without the native library, or to compare).</li>
 * </ul>
 */
public enum TlsProvider {
  AUTO,
  OPENSSL,
  JDK;

  /** Parses {@code auto}, {@code openssl} or {@code jdk} (any case). */
  public static TlsProvider parse(String value) {
    if (value != null) {
      for (TlsProvider p : values()) {
        if (p.name().equalsIgnoreCase(value.trim())) return p;
      }
    }
    throw new IllegalArgumentException("Unknown TLS provider '" + value + "'; use auto (OpenSSL when it loads, else the JDK), openssl or jdk.");
  }

  /** The key's value, e.g. {@code openssl}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
