package dev.ipa.alignment.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipa.alignment.data.DatasetException;
import dev.ipa.transport.ModelFingerprint;
import dev.ipa.transport.PeerInbox;
import dev.ipa.transport.PeerNotice;
import dev.ipa.transport.PeerSnapshot;
import dev.ipa.transport.PeerTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The federated-statistics exchange before round 0: every peer sends its {@link TableStatistics} (or, when it was
 * given a schema file, that schema) to every other, over a {@link PeerTransport} of the same kind the rounds use,
 * and every peer then pools the same set into the same {@link TableSchema}.
 *
 * <p>Message: a {@link PeerSnapshot} of kind {@link PeerSnapshot.Kind#TABLE_STATISTICS} whose payload is UTF-8
 * JSON:
 * <pre>
 * {"format":"ipa-table-exchange/1", "have":["peer0","peer2"],       peers whose message the sender holds
 *  "statistics":"{...StatisticsJson...}"  or  "schema":"{...SchemaJson...}"}
 * </pre>
 * Delivery is best-effort (a peer not yet up misses a message), so a peer re-sends every 200 ms to each peer it has
 * not heard from or that has not yet listed it in {@code have}, and answers a peer's first message and any message
 * that does not list it. After {@link #run} returns, {@link #linger} keeps answering until every peer has listed
 * this one, or the linger time ends; then the caller closes the transport.
 *
 * <p>What it reveals to the other peers: the row count, and per feature column the count of present and of missing
 * cells, the sum and sum of squares of a numeric column, and the distinct values of a categorical column and of
 * the label. No row, no count per category, no minimum or maximum. With a schema file on every peer only the
 * schema travels (it holds pooled means and sds and the category lists of whoever wrote it), and peers compare it.
 *
 * <p>Lifecycle: construct → {@link #run} once → {@link #linger} once → close the transport. Thread-safe: the
 * transport delivers from its threads while {@code run} waits.
 */
public final class StatisticsExchange implements PeerInbox {
  /** The fingerprint of an exchange-only transport: room for 16 MB of statistics per message. */
  public static final ModelFingerprint FINGERPRINT = new ModelFingerprint("table-statistics/1", 2_000_000);
  private static final String FORMAT = "ipa-table-exchange/1";
  private static final long RESEND_MILLIS = 200;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PeerTransport transport;
  private final String me;
  private final List<String> others;
  private final TableStatistics mine;
  private final TableSchema pinned;
  private final Map<String, JsonNode> received = new ConcurrentHashMap<>();
  private final Set<String> listedMe = ConcurrentHashMap.newKeySet();
  private final AtomicLong sequence = new AtomicLong();
  private final Object changed = new Object();
  private volatile String failure;

  /**
   * @param peers  every member of the federation, this peer included
   * @param mine   this peer's statistics, or null when {@code pinned} is given
   * @param pinned the schema file this peer was given, or null
   */
  public StatisticsExchange(PeerTransport transport, List<String> peers, TableStatistics mine, TableSchema pinned) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.me = transport.localPeer();
    this.others = peers.stream().filter(p -> !p.equals(me)).sorted().toList();
    if ((mine == null) == (pinned == null)) throw new IllegalArgumentException("Give either statistics or a pinned schema.");
    this.mine = mine;
    this.pinned = pinned;
  }

  /**
   * Starts the transport, exchanges, and returns the federation's schema.
   *
   * @throws DatasetException      when peers' data cannot share one schema (the sentence says why)
   * @throws IllegalStateException when some peer's message did not arrive within {@code timeout}
   */
  public TableSchema run(Duration timeout) throws InterruptedException {
    transport.start(this);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> missing = new ArrayList<>();
      for (String p : others) if (!received.containsKey(p)) missing.add(p);
      if (failure != null) throw new DatasetException(failure);
      if (missing.isEmpty()) break;
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("No table statistics arrived from " + String.join(", ", missing) + " within "
            + timeout.toSeconds() + " s; start every peer, check their addresses, or give every peer the same --schema file.");
      }
      resend();
      synchronized (changed) {
        changed.wait(RESEND_MILLIS);
      }
    }
    resend();
    return agree();
  }

  /** Keeps answering until every peer has listed this one in {@code have}, or {@code max} has passed. */
  public void linger(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (listedMe.size() < others.size() && System.nanoTime() < deadline) {
      resend();
      synchronized (changed) {
        changed.wait(RESEND_MILLIS);
      }
    }
  }

  private TableSchema agree() {
    boolean anyPinned = pinned != null;
    boolean anyStats = mine != null;
    for (Map.Entry<String, JsonNode> e : received.entrySet()) {
      anyPinned |= e.getValue().hasNonNull("schema");
      anyStats |= e.getValue().hasNonNull("statistics");
    }
    if (anyPinned && anyStats) {
      throw new DatasetException("Some peers were given a schema file and others were not; give every peer the same --schema file, or none.");
    }
    if (anyPinned) {
      for (String p : others) {
        TableSchema theirs = SchemaJson.parse(received.get(p).get("schema").asText(), "the schema of peer " + p);
        var diff = pinned.firstDifference(theirs);
        if (diff.isPresent()) {
          throw new DatasetException("Peer " + p + " was given another schema: " + diff.get() + "; give every peer the same --schema file.");
        }
      }
      return pinned;
    }
    List<TableStatistics> all = new ArrayList<>();
    all.add(mine);
    for (String p : others) {
      try {
        all.add(StatisticsJson.parse(received.get(p).get("statistics").asText()));
      } catch (IllegalArgumentException e) {
        throw new DatasetException("Peer " + p + " sent table statistics this peer cannot read (" + e.getMessage() + ")");
      }
    }
    return TableStatistics.pool(all);
  }

  private void resend() {
    List<String> to = new ArrayList<>();
    for (String p : others) if (!received.containsKey(p) || !listedMe.contains(p)) to.add(p);
    if (!to.isEmpty()) send(to);
  }

  private void send(List<String> to) {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    var have = o.putArray("have");
    new TreeSet<>(received.keySet()).forEach(have::add);
    if (pinned != null) o.put("schema", SchemaJson.write(pinned));
    else o.put("statistics", StatisticsJson.write(mine));
    byte[] payload = o.toString().getBytes(StandardCharsets.UTF_8);
    int rows = mine == null ? 0 : (int) Math.min(Integer.MAX_VALUE, mine.rows());
    transport.publish(new PeerSnapshot(me, 0, 0, sequence.incrementAndGet(), rows, payload, PeerSnapshot.Kind.TABLE_STATISTICS), to);
  }

  @Override
  public void onSnapshot(PeerSnapshot snapshot) {
    String from = snapshot.peerId();
    if (snapshot.kind() != PeerSnapshot.Kind.TABLE_STATISTICS || !others.contains(from)) return;
    JsonNode msg;
    try {
      msg = JSON.readTree(new String(snapshot.payload(), StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      failure = "Peer " + from + " sent a statistics message that is not JSON (" + e.getOriginalMessage() + "); run the same version on every peer.";
      wake();
      return;
    }
    if (msg == null || !FORMAT.equals(msg.path("format").asText())) {
      failure = "Peer " + from + " sent a statistics message of another format; run the same version on every peer.";
      wake();
      return;
    }
    boolean first = received.putIfAbsent(from, msg) == null;
    boolean listsMe = false;
    for (JsonNode h : msg.withArray("have")) listsMe |= h.asText().equals(me);
    if (listsMe) listedMe.add(from);
    if (first || !listsMe) send(List.of(from));
    wake();
  }

  private void wake() {
    synchronized (changed) {
      changed.notifyAll();
    }
  }

  @Override
  public void onNotice(PeerNotice notice) {
    // No notices belong to the exchange; a STOP before round 0 is seen again by the round protocol's transport.
  }

  @Override
  public void onLinkChange(String peerId, boolean up) {
    if (up && others.contains(peerId)) send(List.of(peerId));
  }

  /** The row counts the other peers reported, by peer; for the data-size weights. */
  public Map<String, Long> rowsByPeer() {
    Map<String, Long> out = new TreeMap<>();
    received.forEach((p, m) -> {
      if (m.hasNonNull("statistics")) out.put(p, StatisticsJson.parse(m.get("statistics").asText()).rows());
    });
    return out;
  }
}
