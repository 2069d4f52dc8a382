package dev.ipa.transport.netty;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the inbox thread of one link. Keeps inbox calls
 * off the event loop while preserving per-sender order. Thread-safe.
 */
final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private final Executor pool;
  private boolean running;

  SerialExecutor(Executor pool) {
    this.pool = pool;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      queue.add(task);
      if (running) return;
      running = true;
    }
    try {
      pool.execute(this::drain);
    } catch (RuntimeException rejected) {
      // The pool is shut down: the transport is closing and nothing is delivered any more.
      synchronized (this) {
        queue.clear();
        running = false;
      }
    }
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
      try {
        next.run();
      } catch (RuntimeException e) {
        LOG.warn("An inbox callback failed; delivery continues with the next message: {}", e.toString(), e);
      }
    }
  }
}
