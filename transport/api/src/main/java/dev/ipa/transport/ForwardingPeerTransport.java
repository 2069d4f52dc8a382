package dev.ipa.transport;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link PeerTransport} that forwards every call to another, for decorators that change one thing: a simulated
 * attacker that rewrites what it publishes, or a test link that damages bytes. Override what differs.
 *
 * <p>As thread-safe as the transport it wraps; lives as long as it.
 */
public abstract class ForwardingPeerTransport implements PeerTransport {
  protected final PeerTransport inner;

  protected ForwardingPeerTransport(PeerTransport inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  @Override
  public String localPeer() {
    return inner.localPeer();
  }

  @Override
  public void start(PeerInbox inbox) {
    inner.start(inbox);
  }

  @Override
  public void publish(PeerSnapshot snapshot, Collection<String> to) {
    inner.publish(snapshot, to);
  }

  @Override
  public void notify(PeerNotice notice, Collection<String> to) {
    inner.notify(notice, to);
  }

  @Override
  public Map<String, LinkState> links() {
    return inner.links();
  }

  @Override
  public void close() {
    inner.close();
  }
}
