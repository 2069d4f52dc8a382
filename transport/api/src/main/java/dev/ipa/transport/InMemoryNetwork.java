package dev.ipa.transport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process network of peers for local simulations: every {@link InMemoryTransport} it creates can reach
 * every other one, with optional injected latency and message drops (in the manner of Ratis'
 * {@code SimulatedRequestReply}).
 *
 * <p>Snapshots are shared by reference between receivers, so a publication costs one payload however many
 * peers receive it. Delivery runs on the network's own threads, never on the publisher's, and is FIFO per
 * sender→receiver link even with latency. Drops are drawn from a seeded generator, so a run with the same seed
 * drops the same messages as long as publications happen in the same order.
 *
 * <p>Thread-safe. Lifecycle: create → {@link #transport(String)} per peer → use → {@link #close()}.
 */
public final class InMemoryNetwork implements AutoCloseable {

  /**
   * Fault injection for every link of the network.
   *
   * @param latency     delay added to every message
   * @param dropRate    probability in [0, 1) that a snapshot is lost (notices are never dropped)
   * @param seed        seed of the drop generator
   */
  public record Faults(Duration latency, double dropRate, long seed) {
    public static final Faults NONE = new Faults(Duration.ZERO, 0.0, 0);

    public Faults {
      Objects.requireNonNull(latency, "latency");
      if (latency.isNegative()) throw new IllegalArgumentException("Injected latency must be ≥ 0, got " + latency + ".");
      if (!(dropRate >= 0.0 && dropRate < 1.0)) {
        throw new IllegalArgumentException("The drop rate must be in [0, 1), got " + dropRate + ".");
      }
    }
  }

  private final Faults faults;
  private final Map<String, InMemoryTransport> peers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService delay;
  private final ExecutorService delivery;
  private final SplittableRandom dropRandom;
  private final Map<String, Long> lastDeliveryNanos = new ConcurrentHashMap<>();

  public InMemoryNetwork(Faults faults) {
    this.faults = Objects.requireNonNull(faults, "faults");
    this.dropRandom = new SplittableRandom(faults.seed());
    this.delay = Executors.newSingleThreadScheduledExecutor(daemon("ipa-net-delay"));
    this.delivery = Executors.newCachedThreadPool(daemon("ipa-net-deliver"));
  }

  public InMemoryNetwork() {
    this(Faults.NONE);
  }

  /** Creates the transport of peer {@code peerId}; each id may be created once. */
  public InMemoryTransport transport(String peerId) {
    InMemoryTransport t = new InMemoryTransport(peerId, this);
    if (peers.putIfAbsent(peerId, t) != null) {
      throw new IllegalArgumentException("Peer '" + peerId + "' already exists in this in-memory network; peer ids must be unique.");
    }
    return t;
  }

  void send(String from, Collection<String> to, Object message, int bytes, boolean droppable) {
    for (String receiver : to) {
      InMemoryTransport target = peers.get(receiver);
      InMemoryTransport source = peers.get(from);
      if (target == null || !target.isStarted()) continue; // an absent peer simply does not receive
      if (droppable && faults.dropRate() > 0 && nextDrop()) continue;
      source.countOut(receiver, bytes);
      long latencyNanos = faults.latency().toNanos();
      if (latencyNanos == 0) {
        target.enqueue(from, message, bytes);
      } else {
        // FIFO per link: never deliver before the previous message on the same link.
        String link = from + "\u0000" + receiver;
        long at = lastDeliveryNanos.merge(link, System.nanoTime() + latencyNanos, Math::max);
        delay.schedule(() -> target.enqueue(from, message, bytes), at - System.nanoTime(), TimeUnit.NANOSECONDS);
      }
    }
  }

  private synchronized boolean nextDrop() {
    return dropRandom.nextDouble() < faults.dropRate();
  }

  ExecutorService deliveryExecutor() {
    return delivery;
  }

  Collection<String> peerIds() {
    return peers.keySet();
  }

  void remove(String peerId) {
    peers.remove(peerId);
  }

  @Override
  public void close() {
    delay.shutdownNow();
    delivery.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Mutable per-link counters of one transport. */
  static final class LinkCounters {
    volatile boolean seen;
    volatile Instant lastSeen;
    final AtomicLong bytesIn = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
    volatile int lastRound = -1;
  }

  /** A serial mailbox: runs the receiver's callbacks one at a time, in arrival order, on the delivery pool. */
  static final class Mailbox {
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private final ExecutorService executor;
    private boolean running;

    Mailbox(ExecutorService executor) {
      this.executor = executor;
    }

    void submit(Runnable task) {
      synchronized (this) {
        queue.add(task);
        if (running) return;
        running = true;
      }
      executor.execute(this::drain);
    }

    private void drain() {
      while (true) {
        Runnable next;
        synchronized (this) {
          next = queue.poll();
          if (next == null) {
            running = false;
            return;
          }
        }
        next.run();
      }
    }
  }

  static Map<String, LinkState> snapshot(Map<String, LinkCounters> counters) {
    Map<String, LinkState> out = new TreeMap<>();
    counters.forEach((id, c) -> out.put(id, new LinkState(id, true, c.lastSeen, c.bytesIn.get(), c.bytesOut.get(), 0.0, c.lastRound)));
    return out;
  }
}
