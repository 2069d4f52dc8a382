package dev.ipa.transport.netty;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * The WARN lines about failed connections, bounded twice so that an attacker cannot fill the log: each line holds
 * at most a few bytes of what the remote side sent ({@link #clip}), and per remote host (the address without its
 * port: an attacker opens each connection from a new port) at most {@code burst} lines go out per window. The rest
 * are counted, and one line per host and window says how many were suppressed, when the next line about that host
 * goes out after its window or at the latest when {@link #flush} runs (the transport calls it once per window).
 *
 * <p>Thread-safe: event loops of every connection call {@link #warn} at once.
 */
final class RemoteWarnings {
  /** WARN lines per remote host and window before the rest are only counted. */
  static final int BURST = 3;
  static final Duration WINDOW = Duration.ofSeconds(10);
  /** Bytes of remote data a line may show, as hex or as text. */
  static final int SHOWN_BYTES = 16;
  /** Hosts tracked at once; beyond, every further host shares one entry, so the table stays small under a spray. */
  private static final int MAX_HOSTS = 4096;
  private static final String OTHER_HOSTS = "other hosts";
  private static final Pattern HEX_RUN = Pattern.compile("[0-9a-fA-F]{" + (2 * SHOWN_BYTES + 1) + ",}");
  /** Longest argument a line shows; a piece of a Hello inside a reason is cut shorter ({@link #HELLO_TEXT}). */
  private static final int MAX_TEXT = 400;
  static final int HELLO_TEXT = 64;

  private final Logger log;
  private final int burst;
  private final long windowNanos;
  private final LongSupplier clock;
  // Each window is read and changed only inside the map's atomic compute of its key.
  private final ConcurrentHashMap<String, Window> hosts = new ConcurrentHashMap<>();

  private static final class Window {
    long start;
    int logged;
    int suppressed;

    Window(long start) {
      this.start = start;
    }
  }

  RemoteWarnings(Logger log, int burst, Duration window, LongSupplier clock) {
    this.log = log;
    this.burst = burst;
    this.windowNanos = window.toNanos();
    this.clock = clock;
  }

  RemoteWarnings(Logger log) {
    this(log, BURST, WINDOW, System::nanoTime);
  }

  Duration window() {
    return Duration.ofNanos(windowNanos);
  }

  /**
   * Logs {@code format} with {@code args} at WARN (String arguments clipped) unless {@code remote}'s host already had
   * {@code burst} lines in this window; then it only counts it.
   */
  void warn(SocketAddress remote, String format, Object... args) {
    String host = hostOf(remote);
    if (!hosts.containsKey(host) && hosts.size() >= MAX_HOSTS) host = OTHER_HOSTS;
    long now = clock.getAsLong();
    int[] outcome = new int[2]; // suppressed in the window that just ended; 1 if this line is shown
    hosts.compute(host, (h, w) -> {
      Window window = w != null ? w : new Window(now);
      if (now - window.start >= windowNanos) {
        outcome[0] = window.suppressed;
        window.start = now;
        window.logged = 0;
        window.suppressed = 0;
      }
      if (window.logged < burst) {
        window.logged++;
        outcome[1] = 1;
      } else {
        window.suppressed++;
      }
      return window;
    });
    if (outcome[0] > 0) summarise(host, outcome[0]);
    if (outcome[1] == 0) return;
    Object[] clipped = args.clone();
    for (int i = 0; i < clipped.length; i++) if (clipped[i] instanceof String s) clipped[i] = clip(s);
    log.warn(format, clipped);
  }

  /** Logs the suppressed count of every host whose window has ended, and forgets those hosts. */
  void flush() {
    long now = clock.getAsLong();
    for (String host : hosts.keySet()) {
      int[] suppressed = {0};
      hosts.computeIfPresent(host, (h, w) -> {
        if (now - w.start < windowNanos) return w;
        suppressed[0] = w.suppressed;
        return null;
      });
      if (suppressed[0] > 0) summarise(host, suppressed[0]);
    }
  }

  /** Logs every suppressed count now, windows ended or not (the transport closes; tests). */
  void flushAll() {
    for (String host : hosts.keySet()) {
      int[] suppressed = {0};
      hosts.computeIfPresent(host, (h, w) -> {
        suppressed[0] = w.suppressed;
        w.suppressed = 0;
        return w;
      });
      if (suppressed[0] > 0) summarise(host, suppressed[0]);
    }
  }

  private void summarise(String host, int suppressed) {
    log.warn("Suppressed {} similar warnings about connections from {} (at most {} are shown per {}).", suppressed, host,
        burst, window());
  }

  private static String hostOf(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet) {
      InetAddress a = inet.getAddress();
      return a != null ? a.getHostAddress() : inet.getHostString();
    }
    return String.valueOf(remote);
  }

  /**
   * {@code text} as a log line may show it when it may come from the remote side: a hex dump (Netty's "not an
   * SSL/TLS record: 16a7…") keeps its first {@value #SHOWN_BYTES} bytes and says how long it was; control
   * characters are escaped, so a line cannot be split or forged; anything longer than 400 characters is cut.
   */
  static String clip(String text) {
    return clip(text, MAX_TEXT);
  }

  /** {@link #clip(String)} with at most {@code max} characters kept. */
  static String clip(String text, int max) {
    if (text == null) return null;
    Matcher m = HEX_RUN.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int bytes = (m.end() - m.start()) / 2;
      m.appendReplacement(out, m.group().substring(0, 2 * SHOWN_BYTES) + "… (" + bytes + " bytes)");
    }
    m.appendTail(out);
    StringBuilder safe = new StringBuilder(Math.min(out.length(), max) + 24);
    int i = 0;
    for (; i < out.length() && safe.length() < max; i++) {
      char c = out.charAt(i);
      if (Character.isISOControl(c)) safe.append(String.format("\\x%02x", (int) c & 0xff));
      else safe.append(c);
    }
    if (i < out.length()) safe.append("… (").append(out.length()).append(" characters)");
    return safe.toString();
  }
}
