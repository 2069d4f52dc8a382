package dev.ipa.bench;

import dev.ipa.transport.PeerInbox;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.SnapshotLoan;
import dev.ipa.transport.netty.LoopbackFederation;
import dev.ipa.transport.ModelFingerprint;
import dev.ipa.transport.netty.NettyTransport;
import dev.ipa.transport.netty.NettyTransportConfig;
import dev.ipa.transport.tls.FederationCertificates;
import dev.ipa.transport.tls.TlsFiles;
import dev.ipa.transport.tls.TlsProvider;
import io.netty.handler.ssl.OpenSsl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * and mutual TLS on each provider (BoringSSL through Netty's OpenSSL provider, and the JDK's SSLEngine); peak heap
 * of each mode and heap in use (after GC) while a snapshot streams; small-message rate. Not a test: it prints
 * figures. Machines are shared and noisy, so every transfer is paired with a socket copy in the same round and
 * the figures are medians over the rounds (the ratio is the median of the per-round ratios).
 *
 * <pre>
 * ./mvnw -q -pl transport install -DskipTests
 * ./mvnw -q -pl transport dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx3g -cp transport/target/classes:$(cat /tmp/cp.txt) dev.ipa.transport.bench.TransportBench 1 100 1000
 * </pre>
 *
 * Arguments are snapshot sizes in MB (10^6 bytes); a 1 GB run needs about 2.2 GB of heap, since sender and
 * receiver live in this one JVM and each holds the whole payload (the receiver reassembles into one array, which
 * its inbox releases and the next snapshot reuses).
 */
public final class TransportBench {
  /**
   * A receiver accepts at most 8 bytes per parameter of its model (NettyTransportConfig.payloadLimit), so the
   * bench's model is as large as the largest snapshot it may send: 2^28 parameters, 1 GiB of fp32.
   */
  private static final ModelFingerprint MODEL = new ModelFingerprint("bench", 1L << 28);
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
  /** Bytes of warm-up transfers per mode and size, before any round is timed. */
  private static final long WARM_UP_BYTES = 1_000_000_000L;

  private TransportBench() {}

  /** One way of running the link: plaintext ({@code certs} null) or mutual TLS with a provider. */
  private record Mode(String name, Path certs, TlsProvider provider) {}

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
      List<Mode> modes = new ArrayList<>(List.of(new Mode("netty", null, null)));
      if (OpenSsl.isAvailable()) modes.add(new Mode("tls-openssl", certs, TlsProvider.OPENSSL));
      modes.add(new Mode("tls-jdk", certs, TlsProvider.JDK));
      out.printf("transport bench: epoll=%s, OpenSSL %s, max heap %d MB, cores %d%n", NettyTransport.nativeTransportAvailable(),
          OpenSsl.isAvailable() ? OpenSsl.versionString() : "unavailable (" + OpenSsl.unavailabilityCause() + ")",
          Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
      out.println("ratio = median over rounds of (plain socket copy time / transfer time), each pair measured back to back;"
          + " peak heap = sum of the heap pools' peaks over that mode's transfers (both peers in this JVM)");
      out.printf("%-10s %-12s %7s %10s %10s %8s %12s %14s%n", "size", "mode", "rounds", "ms", "MB/s", "ratio", "socket MB/s", "peak heap MB");
      for (long size : sizes) {
        if (size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("A snapshot is one Java array: at most 2 GB.");
        byte[] payload = payload((int) size);
        int rounds = size <= 10_000_000 ? 21 : size <= 200_000_000 ? 15 : 3;
        for (Mode mode : modes) {
          System.gc();
          resetHeapPeaks();
          Measured m = nettyTransfers(payload, rounds, mode, size >= 100_000_000);
          out.printf("%-10s %-12s %7d %10.1f %10.1f %8.2f %12.1f %14d%n", mb(size), mode.name(), rounds,
              median(m.seconds) * 1e3, size / 1e6 / median(m.seconds), median(m.ratios), size / 1e6 / median(m.socketSeconds),
              heapPeaks() >> 20);
          if (m.heapMidTransfer >= 0) {
            out.printf("           heap in use mid-transfer (after GC, both peers): %d MB, of which %d MB are the two payload"
                + " arrays; transport overhead %d MB%n", m.heapMidTransfer >> 20, (2 * size) >> 20,
                (m.heapMidTransfer - 2 * size) >> 20);
          }
          out.flush();
        }
      }
      for (Mode mode : modes) {
        out.printf("small messages (notices, ~%d-byte frames, the path heartbeats take), %s: %.0f msg/s%n", 30,
            mode.name(), messageRate(200_000, mode));
      }
    } finally {
      try (Stream<Path> files = Files.walk(certs)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Per round: seconds of the socket copy and of the transfer, and their ratio (socket / transfer, so above 1 is
   * faster than the socket); heap mid-transfer, or -1 if not sampled.
   */
  private record Measured(double[] socketSeconds, double[] seconds, double[] ratios, long heapMidTransfer) {}

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
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

    /** Gives the payload back at once, as a daemon's inbox does once it has decoded it. */
    @Override
    public void onSnapshot(SnapshotLoan loan) {
      loan.release();
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

  private static void resetHeapPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
    }
  }

  /** Sum of the heap pools' peak usage since {@link #resetHeapPeaks}: an upper bound of the peak heap. */
  private static long heapPeaks() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) sum += pool.getPeakUsage().getUsed();
    }
    return sum;
  }

  private static NettyTransport[] pair(Mode mode, TimingInbox a, TimingInbox b) throws InterruptedException {
    Path certs = mode.certs();
    Map<String, InetSocketAddress> addresses = LoopbackFederation.addresses(List.of("a", "b"));
    NettyTransport[] t = new NettyTransport[2];
    String[] ids = {"a", "b"};
    for (int i = 0; i < 2; i++) {
      NettyTransportConfig c = certs == null
          ? NettyTransportConfig.insecure("bench", ids[i], addresses.get(ids[i]), addresses, MODEL)
          : NettyTransportConfig.secure("bench", ids[i], addresses.get(ids[i]), addresses,
              TlsFiles.inDirectory(certs.resolve(ids[i])), MODEL).withTlsProvider(mode.provider());
      t[i] = new NettyTransport(c);
    }
    t[0].start(a);
    t[1].start(b);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!(a.up && b.up) && System.nanoTime() < deadline) Thread.sleep(5);
    if (!(a.up && b.up)) throw new IllegalStateException("The benchmark peers did not connect within 20 s.");
    return t;
  }

  /**
   * Warm-up transfers, then {@code rounds} rounds of a socket copy and a transfer over one link, so each ratio
   * compares two measurements taken under the same load; then, if asked, the heap during one more transfer.
   * Warming up takes about {@link #WARM_UP_BYTES} (at least one transfer): until then small TLS transfers run
   * partly interpreted and take ten times longer, and 100 MB TLS transfers measured after only 200 MB of warm-up
   * ran 1.3-2× slower than later ones in the same JVM. It also leaves the receiver its spare array, as in a federation after its first
   * round.
   */
  private static Measured nettyTransfers(byte[] payload, int rounds, Mode mode, boolean sampleHeap) throws Exception {
    TimingInbox ia = new TimingInbox();
    TimingInbox ib = new TimingInbox();
    NettyTransport[] t = pair(mode, ia, ib);
    try {
      int warmups = (int) Math.max(1, Math.min(200, WARM_UP_BYTES / Math.max(1, payload.length)));
      for (int i = 0; i < warmups; i++) transfer(t[0], ib, payload, i);
      double[] socket = new double[rounds];
      double[] seconds = new double[rounds];
      double[] ratios = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        // Alternate which goes first, so neither always runs right after the other.
        if (i % 2 == 0) socket[i] = socketCopy(payload.length);
        seconds[i] = transfer(t[0], ib, payload, warmups + i);
        if (i % 2 == 1) socket[i] = socketCopy(payload.length);
        ratios[i] = socket[i] / seconds[i];
      }
      long heap = -1;
      if (sampleHeap) {
        long before = t[1].links().get("a").bytesIn();
        t[0].publish(new PeerSnapshot("a", 0, 0, warmups + rounds, 1, payload), List.of("b"));
        while (t[1].links().get("a").bytesIn() - before < payload.length / 2) Thread.sleep(1);
        System.gc();
        heap = MEMORY.getHeapMemoryUsage().getUsed();
        awaitArrival(ib);
      }
      return new Measured(socket, seconds, ratios, heap);
    } finally {
      t[0].close();
      t[1].close();
    }
  }

  /** Seconds from publishing snapshot {@code sequence} until the receiving inbox has it. */
  private static double transfer(NettyTransport from, TimingInbox to, byte[] payload, int sequence) throws Exception {
    long start = System.nanoTime();
    from.publish(new PeerSnapshot("a", sequence, 0, sequence, 1, payload), List.of("b"));
    return (awaitArrival(to) - start) / 1e9;
  }

  private static long awaitArrival(TimingInbox inbox) throws InterruptedException {
    Long arrived = inbox.arrivals.poll(10, TimeUnit.MINUTES);
    if (arrived == null) throw new IllegalStateException("A snapshot did not arrive within 10 minutes.");
    return arrived;
  }

  private static double messageRate(int n, Mode mode) throws Exception {
    TimingInbox ia = new TimingInbox();
    TimingInbox ib = new TimingInbox();
    NettyTransport[] t = pair(mode, ia, ib);
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
