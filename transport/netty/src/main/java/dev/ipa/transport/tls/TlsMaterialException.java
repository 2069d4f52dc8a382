package dev.ipa.transport.tls;

/**
 * Certificates or keys that cannot be used: unreadable, malformed, not matching each other or not signed by the
 * federation CA. The message is one sentence an operator can act on.
 */
public final class TlsMaterialException extends RuntimeException {
  public TlsMaterialException(String message) {
    super(message);
  }

  public TlsMaterialException(String message, Throwable cause) {
    super(message, cause);
  }
}
