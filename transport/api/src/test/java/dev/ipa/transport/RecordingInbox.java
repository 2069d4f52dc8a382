package dev.ipa.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A {@link PeerInbox} that records everything it is given, for tests. Thread-safe.
 *
 * <p>{@code new RecordingInbox()} keeps every payload it is lent; {@link #releasing()} records a copy of each
 * payload and releases the loan before recording it, as a daemon's inbox does once it has decoded a snapshot.
 */
public final class RecordingInbox implements PeerInbox {
  /** A link change as the inbox saw it. */
  public record LinkChange(String peerId, boolean up) {}

  private final boolean release;

  public final List<PeerSnapshot> snapshots = new CopyOnWriteArrayList<>();
  public final List<PeerNotice> notices = new CopyOnWriteArrayList<>();
  public final List<LinkChange> linkChanges = new CopyOnWriteArrayList<>();
  /** Snapshots and notices interleaved in arrival order. */
  public final List<Object> messages = new CopyOnWriteArrayList<>();
  /** A releasing inbox's lent arrays in arrival order, to compare by identity only: they may hold anything now. */
  public final List<byte[]> releasedArrays = new CopyOnWriteArrayList<>();

  public RecordingInbox() {
    this(false);
  }

  private RecordingInbox(boolean release) {
    this.release = release;
  }

  /** An inbox that copies each payload and releases its loan, so the transport may reuse the array. */
  public static RecordingInbox releasing() {
    return new RecordingInbox(true);
  }

  @Override
  public void onSnapshot(SnapshotLoan loan) {
    if (!release) {
      onSnapshot(loan.keep());
      return;
    }
    PeerSnapshot s = loan.snapshot();
    PeerSnapshot copy = new PeerSnapshot(s.peerId(), s.round(), s.sync(), s.sequence(), s.dataSize(), s.payload().clone(), s.kind());
    releasedArrays.add(s.payload());
    loan.release();
    onSnapshot(copy);
  }

  @Override
  public void onSnapshot(PeerSnapshot snapshot) {
    snapshots.add(snapshot);
    messages.add(snapshot);
  }

  @Override
  public void onNotice(PeerNotice notice) {
    notices.add(notice);
    messages.add(notice);
  }

  @Override
  public void onLinkChange(String peerId, boolean up) {
    linkChanges.add(new LinkChange(peerId, up));
  }

  public List<PeerSnapshot> snapshotsFrom(String peerId) {
    List<PeerSnapshot> out = new ArrayList<>();
    for (PeerSnapshot s : snapshots) if (s.peerId().equals(peerId)) out.add(s);
    return out;
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes; returns whether it held. */
  public static boolean await(Duration timeout, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) return true;
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }

  public <T> boolean awaitCount(List<T> list, Predicate<T> filter, int n, Duration timeout) {
    return await(timeout, () -> list.stream().filter(filter).count() >= n);
  }
}
