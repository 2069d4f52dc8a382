package dev.ipa.transport.netty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The federation settings a Hello carries ({@link NettyTransportConfig#settings}), as the handshake compares them:
 * a SHA-256 over their canonical text, each {@code key=value\n} in key order, UTF-8; and, when two hashes differ,
 * the first key at which the two lists differ. Pure functions; thread-safe.
 */
final class FederationSettingsHash {
  private FederationSettingsHash() {}

  /** The hash; empty for no settings, so a Hello without settings is encoded exactly as before they existed. */
  static byte[] of(SortedMap<String, String> settings) {
    if (settings.isEmpty()) return new byte[0];
    StringBuilder text = new StringBuilder();
    settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JDK provides SHA-256.", e);
    }
  }

  /** The smallest key whose value differs between the two (absent on one side counts), or null if they are equal. */
  static String firstDifference(SortedMap<String, String> ours, SortedMap<String, String> theirs) {
    TreeSet<String> keys = new TreeSet<>(ours.keySet());
    keys.addAll(theirs.keySet());
    for (String key : keys) {
      if (!java.util.Objects.equals(ours.get(key), theirs.get(key))) return key;
    }
    return null;
  }
}
