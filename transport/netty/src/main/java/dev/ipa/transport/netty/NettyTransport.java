package dev.ipa.transport.netty;

import dev.ipa.transport.LinkState;
import dev.ipa.transport.PeerInbox;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.PeerTransport;
import dev.ipa.transport.SnapshotLoan;
import dev.ipa.transport.tls.FederationTls;
import dev.ipa.transport.tls.TlsMaterialException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PeerTransport} of real peer daemons: direct TCP connections between peers, mutual TLS 1.3, protobuf
 * frames, snapshots of any size streamed in chunks under flow control. Wire format and security model are in
 * {@code transport/README.md}.
 *
 * <p>Every peer listens and dials every configured peer. When two peers dial each other at once, the connection
 * initiated by the smaller peer id (String order) is kept and the other refused. A lost link is redialed with
 * exponential backoff and jitter; {@link PeerInbox#onLinkChange} reports every up and down.
 *
 * <p>Delivery: {@link #publish} and {@link #notify} only queue and return. Per receiver, messages go out in call
 * order. A message to a peer whose link is down is dropped (the round protocol sees the gap and treats the peer as
 * failed for the round). A receiver that falls behind holds at most {@code maxQueuedSnapshots} snapshots in its
 * queue; beyond that the oldest queued one is dropped with a WARN and the receiver will ask for a resync. A
 * receiver that stops reading altogether is disconnected after {@code progressTimeout}.
 *
 * <p>Inbox calls run on one inbox thread per link, never on an event loop, in arrival order.
 *
 * <p>Thread-safe. Lifecycle: construct (checks TLS files) → {@link #start} once → use → {@link #close} (idempotent).
 */
public final class NettyTransport implements PeerTransport, ConnectionHost {
  private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

  private final NettyTransportConfig config;
  private final FederationTls tls;
  private final Map<String, PeerLink> links = new TreeMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LinkTable<PeerConnection> table;
  private final RedialBackoff backoff;
  private final RemoteWarnings warnings;
  private volatile PeerInbox inbox;
  private EventLoopGroup group;
  private ExecutorService inboxPool;
  private Channel server;
  private Class<? extends SocketChannel> socketChannel;

  /**
   * What this transport keeps per configured neighbour besides its entry in the {@link LinkTable}: counters,
   * inbox thread and spare array.
   */
  private static final class PeerLink {
    final String id;
    final InetSocketAddress address;
    final LinkCounters counters = new LinkCounters();
    final AtomicLong dropped = new AtomicLong();
    final ReceiveSpare spare;
    SerialExecutor mailbox;

    PeerLink(String id, InetSocketAddress address, long maxSpareBytes) {
      this.id = id;
      this.address = address;
      this.spare = new ReceiveSpare(maxSpareBytes);
    }
  }

  /**
   * Checks the configuration's TLS files (and that the local certificate names {@code config.peerId()} and was
   * issued for {@code config.federation()}); binds nothing yet.
   *
   * @throws TlsMaterialException if the TLS files are unusable, with one sentence saying which and why
   */
  public NettyTransport(NettyTransportConfig config) {
    this(config, new RemoteWarnings(LoggerFactory.getLogger(PeerConnection.class)));
  }

  /** With the given bound on WARN lines about failing connections (tests choose the window). */
  NettyTransport(NettyTransportConfig config, RemoteWarnings warnings) {
    this.config = Objects.requireNonNull(config, "config");
    this.warnings = Objects.requireNonNull(warnings, "warnings");
    if (config.insecure()) {
      this.tls = null;
    } else {
      this.tls = FederationTls.load(config.tls());
      if (!config.peerId().equals(tls.localIdentity())) {
        throw new TlsMaterialException(config.tls().certificate() + " names peer '" + tls.localIdentity()
            + "', but this peer is '" + config.peerId() + "'; use that peer's directory or regenerate with ./ipa certs.");
      }
      String issuedFor = tls.localFederation();
      if (issuedFor != null && !issuedFor.equals(config.federation())) {
        throw new TlsMaterialException(config.tls().certificate() + " was issued for federation '" + issuedFor
            + "', but this peer joins '" + config.federation() + "'; use that federation's certificates or set ipa.peer.federation to '"
            + issuedFor + "'.");
      }
    }
    config.peers().forEach((id, address) -> links.put(id, new PeerLink(id, address, config.maxSpareBytes())));
    this.table = new LinkTable<>(config.peerId(), links.keySet(), closed::get);
    this.backoff = new RedialBackoff(config.reconnectBase(), config.reconnectMax());
  }

  @Override
  public NettyTransportConfig config() {
    return config;
  }

  @Override
  public RemoteWarnings warnings() {
    return warnings;
  }

  @Override
  public String localPeer() {
    return config.peerId();
  }

  /** Whether this JVM uses Linux native epoll rather than NIO. */
  public static boolean nativeTransportAvailable() {
    return Epoll.isAvailable();
  }

  /**
   * Binds the listening socket and starts dialing every configured peer.
   *
   * @throws IllegalStateException if already started, or the listen address cannot be bound
   */
  @Override
  public synchronized void start(PeerInbox inbox) {
    if (this.inbox != null) throw new IllegalStateException("The transport of peer '" + config.peerId() + "' was already started.");
    if (closed.get()) throw new IllegalStateException("The transport of peer '" + config.peerId() + "' is closed.");
    this.inbox = Objects.requireNonNull(inbox, "inbox");
    if (config.insecure()) {
      LOG.warn("Peer {} runs INSECURE: plaintext TCP, peers are neither authenticated nor encrypted. "
          + "Use this only for local experiments.", config.peerId());
    }
    boolean epoll = Epoll.isAvailable();
    DefaultThreadFactory threads = new DefaultThreadFactory("ipa-net-" + config.peerId(), true);
    group = epoll ? new EpollEventLoopGroup(2, threads) : new NioEventLoopGroup(2, threads);
    socketChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    inboxPool = Executors.newCachedThreadPool(new DefaultThreadFactory("ipa-inbox-" + config.peerId(), true));
    links.values().forEach(l -> l.mailbox = new SerialExecutor(inboxPool));

    ServerBootstrap b = new ServerBootstrap().group(group).channel(serverChannel)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.RCVBUF_ALLOCATOR, receiveAllocator())
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            pipeline(ch, null);
          }
        });
    ChannelFuture bound = b.bind(config.listen()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      shutdownThreads();
      throw new IllegalStateException("Peer '" + config.peerId() + "' cannot listen on " + config.listen() + ": "
          + bound.cause().getMessage(), bound.cause());
    }
    server = bound.channel();
    long window = warnings.window().toNanos();
    group.scheduleAtFixedRate(warnings::flush, window, window, TimeUnit.NANOSECONDS);
    LOG.info("Peer {} listens on {} ({}, {}).", config.peerId(), server.localAddress(),
        config.insecure() ? "plaintext" : "mutual TLS 1.3", epoll ? "epoll" : "NIO");
    if (!config.settings().isEmpty()) {
      LOG.info("Peer {} federates only with peers whose {} federation settings equal its own (SHA-256 {}…).", config.peerId(),
          config.settings().size(), java.util.HexFormat.of().formatHex(FederationSettingsHash.of(config.settings()), 0, 8));
    }
    links.values().forEach(l -> scheduleDial(l, 0));
  }

  /** The address actually bound (useful with port 0); null before {@link #start}. */
  public InetSocketAddress localAddress() {
    Channel s = server;
    return s == null ? null : (InetSocketAddress) s.localAddress();
  }

  /**
   * Socket reads of up to 256 KiB (Netty's default stops at 64 KiB): a 1 MiB chunk frame takes a few reads, and
   * with the composite cumulator those read buffers are the frame, so they are never copied before the payload.
   */
  private static RecvByteBufAllocator receiveAllocator() {
    return new AdaptiveRecvByteBufAllocator(64, 2048, 256 * 1024);
  }

  private WriteBufferWaterMark waterMark() {
    int high = Math.max(128 * 1024, 2 * config.chunkBytes());
    return new WriteBufferWaterMark(high / 2, high);
  }

  private void pipeline(SocketChannel ch, String dialedPeer) {
    PeerConnection connection = new PeerConnection(this, ch, dialedPeer, tls != null);
    ChannelPipeline p = ch.pipeline();
    if (tls != null) {
      p.addLast("tls", (dialedPeer == null ? tls.serverContext() : tls.clientContext()).newHandler(ch.alloc()));
    }
    p.addLast("bytes", new ByteCounter(connection));
    p.addLast("idle", new IdleStateHandler(config.deadAfter().toNanos(), config.heartbeatInterval().toNanos(), 0,
        TimeUnit.NANOSECONDS));
    WireFraming.addTo(p, config.maxFrameBytes());
    connection.addHandlersTo(p);
  }

  // ---------------------------------------------------------------- dialing

  private void scheduleDial(PeerLink l, long delayNanos) {
    if (!table.scheduleDial(l.id)) return;
    try {
      group.schedule(() -> dial(l), delayNanos, TimeUnit.NANOSECONDS);
    } catch (RuntimeException shuttingDown) {
      table.dialNotScheduled(l.id);
    }
  }

  private void scheduleRedial(PeerLink l, int attempt) {
    scheduleDial(l, backoff.delayNanos(attempt, ThreadLocalRandom.current()));
  }

  private void dial(PeerLink l) {
    Bootstrap b = new Bootstrap().group(group).channel(socketChannel)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.RCVBUF_ALLOCATOR, receiveAllocator())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.progressTimeout().toMillis()))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            pipeline(ch, l.id);
          }
        });
    ChannelFuture f = table.startDial(l.id, () -> b.connect(l.address), ChannelFuture::channel);
    if (f == null) return;
    f.addListener(done -> {
      if (done.isSuccess()) return;
      LOG.debug("Dialing peer {} at {} failed: {}", l.id, l.address, done.cause().toString());
      int attempt = table.dialFailed(l.id, f.channel());
      if (attempt >= 0) scheduleRedial(l, attempt);
    });
  }

  // ---------------------------------------------------------------- ConnectionHost

  @Override
  public String admit(PeerConnection c, String peerId) {
    return established(links.get(peerId), c, table.admit(peerId, c));
  }

  @Override
  public String confirm(PeerConnection c, String peerId) {
    return established(links.get(peerId), c, table.confirm(peerId, c, c.channel()));
  }

  /** Acts on the table's answer to a handshake; returns the refusal, or null if {@code c} is now the link. */
  private String established(PeerLink l, PeerConnection c, LinkTable.Admission<PeerConnection> admission) {
    if (!admission.admitted()) return admission.refusal();
    c.countInto(l.counters);
    if (admission.replaced() != null) {
      LOG.info("Peer {} has a new connection; closing the previous one.", l.id);
      admission.replaced().close();
    } else {
      PeerInbox in = inbox;
      l.mailbox.execute(() -> in.onLinkChange(l.id, true));
    }
    if (admission.abandonedDial() instanceof Channel abandoned) abandoned.close();
    return null;
  }

  @Override
  public void closed(PeerConnection c) {
    String id = c.linkPeer();
    PeerLink l = id == null ? null : links.get(id);
    if (l == null) return; // an accepted connection that never authenticated
    LinkTable.Loss loss = table.closed(id, c, c.channel());
    if (loss.down()) {
      PeerInbox in = inbox;
      l.mailbox.execute(() -> in.onLinkChange(l.id, false));
    }
    if (loss.redialAttempt() >= 0) scheduleRedial(l, loss.redialAttempt());
  }

  @Override
  public byte[] receiveArray(PeerConnection c, int size) {
    return links.get(c.remotePeer()).spare.take(size);
  }

  @Override
  public void deliver(PeerConnection c, PeerSnapshot snapshot, Runnable delivered) {
    PeerLink l = links.get(c.remotePeer());
    PeerInbox in = inbox;
    l.mailbox.execute(() -> {
      try {
        if (!closed.get()) in.onSnapshot(SnapshotLoan.lent(snapshot, l.spare::giveBack));
      } finally {
        delivered.run();
      }
    });
  }

  @Override
  public void deliver(PeerConnection c, PeerNotice notice) {
    PeerLink l = links.get(c.remotePeer());
    PeerInbox in = inbox;
    l.mailbox.execute(() -> {
      if (!closed.get()) in.onNotice(notice);
    });
  }

  // ---------------------------------------------------------------- PeerTransport

  @Override
  public void publish(PeerSnapshot snapshot, Collection<String> to) {
    Objects.requireNonNull(snapshot, "snapshot");
    for (String id : to) {
      PeerConnection c = connectionTo(id);
      if (c != null) c.enqueue(snapshot);
    }
  }

  @Override
  public void notify(PeerNotice notice, Collection<String> to) {
    Objects.requireNonNull(notice, "notice");
    for (String id : to) {
      PeerConnection c = connectionTo(id);
      if (c != null) c.enqueue(notice);
    }
  }

  private PeerConnection connectionTo(String id) {
    if (closed.get()) return null;
    PeerLink l = links.get(id);
    if (l == null) {
      if (!id.equals(config.peerId())) LOG.debug("Not sending to '{}': it is not a configured peer.", id);
      return null;
    }
    PeerConnection c = table.active(id);
    if (c == null) {
      l.dropped.incrementAndGet();
      LOG.debug("Dropping a message to peer {}: its link is down.", id);
    }
    return c;
  }

  /** How many messages to {@code peerId} were dropped because its link was down. */
  public long droppedWhileDown(String peerId) {
    PeerLink l = links.get(peerId);
    return l == null ? 0 : l.dropped.get();
  }

  @Override
  public Map<String, LinkState> links() {
    Map<String, LinkState> out = new TreeMap<>();
    for (PeerLink l : links.values()) {
      boolean up = table.active(l.id) != null;
      LinkCounters c = l.counters;
      out.put(l.id, new LinkState(l.id, up, c.lastSeen, c.bytesIn.get(), c.bytesOut.get(), c.roundTripMillis, c.lastRound));
    }
    return out;
  }

  /** Closes every connection and the listening socket, then stops all threads; waits at most a few seconds. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    synchronized (this) {
      if (server != null) server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      for (PeerLink l : links.values()) {
        PeerConnection c = table.active(l.id);
        if (c != null) c.close();
        if (table.dialing(l.id) instanceof Channel d) d.close();
      }
      shutdownThreads();
      warnings.flushAll();
    }
  }

  private void shutdownThreads() {
    if (group != null) group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (inboxPool != null) inboxPool.shutdownNow();
  }
}
