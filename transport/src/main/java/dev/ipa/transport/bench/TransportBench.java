package dev.ipa.transport.bench;

import dev.ipa.transport.PeerInbox;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.netty.LoopbackFederation;
import dev.ipa.transport.netty.ModelFingerprint;
import dev.ipa.transport.netty.NettyTransport;
import dev.ipa.transport.netty.NettyTransportConfig;
import dev.ipa.transport.tls.FederationCertificates;
import dev.ipa.transport.tls.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Loopback throughput of {@link NettyTransport} against a plain {@link Socket} copy of the same bytes, plaintext
 * and mutual TLS; heap in use (after GC) while a snapshot streams; small-message rate. Not a test: it prints
 * figures, and only ratios measured in one run are comparable (machines are shared and noisy).
 *
 * <pre>
 * ./mvnw -q -pl transport install -DskipTests
 * ./mvnw -q -pl transport dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx3g -cp transport/target/classes:$(cat /tmp/cp.txt) dev.ipa.transport.bench.TransportBench 1 100 1000
 * </pre>
 *
 * Arguments are snapshot sizes in MB (10^6 bytes); a 1 GB run needs about 2.2 GB of heap, since sender and
 * receiver live in this one JVM and each holds the whole payload (the receiver hands one array to its inbox).
 */
public final class TransportBench {
  private static final ModelFingerprint MODEL = new ModelFingerprint("bench", 1);
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private TransportBench() {}

  public static void main(String[] args) throws Exception {
    long[] sizes = args.length == 0 ? new long[] {1_000_000, 100_000_000}
        : Arrays.stream(args).mapToLong(a -> Long.parseLong(a) * 1_000_000).toArray();
    run(System.out, sizes);
  }

  /** Runs every measurement for each size in bytes and prints one line per measurement to {@code out}. */
  public static void run(PrintStream out, long[] sizes) throws Exception {
    Path certs = Files.createTempDirectory("ipa-bench-certs");
    try {
      FederationCertificates.generate("bench", List.of("a", "b"), certs);
      out.printf("transport bench: epoll=%s, max heap %d MB, cores %d%n", NettyTransport.nativeTransportAvailable(),
          Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
      out.printf("%-10s %-10s %10s %10s %8s%n", "size", "mode", "ms", "MB/s", "ratio");
      for (long size : sizes) {
        if (size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("A snapshot is one Java array: at most 2 GB.");
        byte[] payload = payload((int) size);
        int reps = size <= 10_000_000 ? 20 : size <= 200_000_000 ? 3 : 1;
        double socket = best(reps, () -> socketCopy(payload.length));
        out.printf("%-10s %-10s %10.1f %10.1f %8s%n", mb(size), "socket", socket * 1e3, size / 1e6 / socket, "1.00");
        for (boolean tls : new boolean[] {false, true}) {
          Measured m = nettyTransfer(payload, reps, tls ? certs : null, size >= 100_000_000);
          out.printf("%-10s %-10s %10.1f %10.1f %8.2f%n", mb(size), tls ? "netty-tls" : "netty", m.seconds * 1e3,
              size / 1e6 / m.seconds, socket / m.seconds);
          if (m.heapMidTransfer >= 0) {
            out.printf("           heap in use mid-transfer (after GC, both peers): %d MB, of which %d MB are the two payload"
                + " arrays; transport overhead %d MB%n", m.heapMidTransfer >> 20, (2 * size) >> 20,
                (m.heapMidTransfer - 2 * size) >> 20);
          }
        }
      }
      for (boolean tls : new boolean[] {false, true}) {
        out.printf("small messages (notices, ~%d-byte frames, the path heartbeats take), %s: %.0f msg/s%n", 30,
            tls ? "tls" : "plaintext", messageRate(200_000, tls ? certs : null));
      }
    } finally {
      try (Stream<Path> files = Files.walk(certs)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private record Measured(double seconds, long heapMidTransfer) {}

  private interface Timed {
    double seconds() throws Exception;
  }

  private static double best(int reps, Timed t) throws Exception {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < reps; i++) best = Math.min(best, t.seconds());
    return best;
  }

  private static String mb(long size) {
    return size >= 1_000_000_000 ? size / 1_000_000_000 + " GB" : size / 1_000_000 + " MB";
  }

  private static byte[] payload(int size) {
    byte[] block = new byte[1 << 20];
    new Random(1).nextBytes(block);
    byte[] p = new byte[size];
    for (int off = 0; off < size; off += block.length) System.arraycopy(block, 0, p, off, Math.min(block.length, size - off));
    return p;
  }

  /** The yardstick: one thread writes {@code size} bytes to a loopback socket, another reads them. */
  private static double socketCopy(long size) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread writer = new Thread(() -> {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()); OutputStream o = s.getOutputStream()) {
          byte[] buf = new byte[1 << 20];
          for (long left = size; left > 0; left -= buf.length) o.write(buf, 0, (int) Math.min(buf.length, left));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      long start = System.nanoTime();
      writer.start();
      try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
        byte[] buf = new byte[1 << 20];
        long got = 0;
        for (int n; got < size && (n = in.read(buf)) > 0; ) got += n;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      writer.join();
      return seconds;
    }
  }

  /** An inbox that keeps only arrival times and sizes, so the benchmark holds no payload it does not need. */
  private static final class TimingInbox implements PeerInbox {
    final BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(1024);
    final AtomicLong notices = new AtomicLong();
    volatile boolean up;

    @Override
    public void onSnapshot(PeerSnapshot snapshot) {
      arrivals.add(System.nanoTime());
    }

    @Override
    public void onNotice(PeerNotice notice) {
      notices.incrementAndGet();
    }

    @Override
    public void onLinkChange(String peerId, boolean up) {
      this.up = up;
    }
  }

  private static NettyTransport[] pair(Path certs, TimingInbox a, TimingInbox b) throws InterruptedException {
    Map<String, InetSocketAddress> addresses = LoopbackFederation.addresses(List.of("a", "b"));
    NettyTransport[] t = new NettyTransport[2];
    String[] ids = {"a", "b"};
    for (int i = 0; i < 2; i++) {
      NettyTransportConfig c = certs == null
          ? NettyTransportConfig.insecure("bench", ids[i], addresses.get(ids[i]), addresses, MODEL)
          : NettyTransportConfig.secure("bench", ids[i], addresses.get(ids[i]), addresses,
              TlsFiles.inDirectory(certs.resolve(ids[i])), MODEL);
      t[i] = new NettyTransport(c);
    }
    t[0].start(a);
    t[1].start(b);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!(a.up && b.up) && System.nanoTime() < deadline) Thread.sleep(5);
    if (!(a.up && b.up)) throw new IllegalStateException("The benchmark peers did not connect within 20 s.");
    return t;
  }

  private static Measured nettyTransfer(byte[] payload, int reps, Path certs, boolean sampleHeap) throws Exception {
    TimingInbox ia = new TimingInbox();
    TimingInbox ib = new TimingInbox();
    NettyTransport[] t = pair(certs, ia, ib);
    try {
      double best = Double.MAX_VALUE;
      long heap = -1;
      // One unmeasured transfer warms up the JIT and the buffer pools, unless the payload is huge.
      int warmup = payload.length <= 200_000_000 ? 1 : 0;
      for (int i = 0; i < warmup + reps; i++) {
        boolean last = i == warmup + reps - 1;
        long start = System.nanoTime();
        t[0].publish(new PeerSnapshot("a", i, 0, i, 1, payload), List.of("b"));
        if (sampleHeap && last) {
          long before = t[1].links().get("a").bytesIn();
          while (t[1].links().get("a").bytesIn() - before < payload.length / 2) Thread.sleep(1);
          System.gc();
          heap = MEMORY.getHeapMemoryUsage().getUsed();
        }
        Long arrived = ib.arrivals.poll(10, TimeUnit.MINUTES);
        if (arrived == null) throw new IllegalStateException("A snapshot did not arrive within 10 minutes.");
        if (i >= warmup) best = Math.min(best, (arrived - start) / 1e9);
      }
      return new Measured(best, heap);
    } finally {
      t[0].close();
      t[1].close();
    }
  }

  private static double messageRate(int n, Path certs) throws Exception {
    TimingInbox ia = new TimingInbox();
    TimingInbox ib = new TimingInbox();
    NettyTransport[] t = pair(certs, ia, ib);
    try {
      PeerNotice notice = new PeerNotice("a", PeerNotice.Kind.RESYNC_REQUEST, 1, "bench");
      for (int i = 0; i < n / 10; i++) t[0].notify(notice, List.of("b"));
      while (ib.notices.get() < n / 10) Thread.sleep(1);
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) t[0].notify(notice, List.of("b"));
      while (ib.notices.get() < n / 10 + n) Thread.sleep(1);
      return n / ((System.nanoTime() - start) / 1e9);
    } finally {
      t[0].close();
      t[1].close();
    }
  }
}
