package dev.ipa.peer.federation;

import dev.ipa.transport.LinkState;
import dev.ipa.transport.PeerInbox;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.SnapshotLoan;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The daemon's view of its transport: passes everything through to the real transport and the round protocol
 * unchanged, and watches the traffic for what an operator needs to see. It counts the neighbour snapshots this
 * peer could not decode as corrupt (the protocol answers each with a resync request whose reason is
 * {@code corrupt}), and hands every incoming notice to a listener before the round protocol sees it, so the
 * daemon can act on federation-wide pause and resume without the protocol knowing about them.
 *
 * <p>Thread-safety: counters are concurrent; the listener is called on transport threads and must not block.
 * Lifecycle: that of the wrapped transport, which {@link #close()} closes.
 */
final class WatchedTransport implements PeerTransport {
  private final PeerTransport delegate;
  private final Consumer<PeerNotice> notices;
  private final Map<String, AtomicLong> suspected = new ConcurrentHashMap<>();

  WatchedTransport(PeerTransport delegate, Consumer<PeerNotice> notices) {
    this.delegate = delegate;
    this.notices = notices;
  }

  /** Snapshots from {@code peer} this peer rejected as corrupt since start-up. */
  long suspectedSnapshots(String peer) {
    AtomicLong n = suspected.get(peer);
    return n == null ? 0 : n.get();
  }

  @Override
  public String localPeer() {
    return delegate.localPeer();
  }

  @Override
  public void start(PeerInbox inbox) {
    delegate.start(new PeerInbox() {
      @Override
      public void onSnapshot(PeerSnapshot snapshot) {
        inbox.onSnapshot(snapshot);
      }

      @Override
      public void onSnapshot(SnapshotLoan loan) {
        inbox.onSnapshot(loan);
      }

      @Override
      public void onNotice(PeerNotice notice) {
        notices.accept(notice);
        inbox.onNotice(notice);
      }

      @Override
      public void onLinkChange(String peerId, boolean up) {
        inbox.onLinkChange(peerId, up);
      }
    });
  }

  @Override
  public void publish(PeerSnapshot snapshot, Collection<String> to) {
    delegate.publish(snapshot, to);
  }

  @Override
  public void notify(PeerNotice notice, Collection<String> to) {
    if (notice.kind() == PeerNotice.Kind.RESYNC_REQUEST && notice.reason().equals("corrupt")) {
      for (String p : to) suspected.computeIfAbsent(p, k -> new AtomicLong()).incrementAndGet();
    }
    delegate.notify(notice, to);
  }

  @Override
  public Map<String, LinkState> links() {
    return delegate.links();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
