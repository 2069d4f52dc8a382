package dev.ipa.alignment.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.data.DatasetException;
import dev.ipa.transport.PeerTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The federated-statistics exchange, run the same way over every transport. */
public abstract class StatisticsExchangeContract {
  private static final List<String> PEERS = List.of("peer0", "peer1", "peer2");
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private List<PeerTransport> transports = List.of();

  /** Unstarted transports for {@code peers}, all able to reach each other. */
  protected abstract List<PeerTransport> transports(List<String> peers) throws Exception;

  @AfterEach
  void close() {
    transports.forEach(PeerTransport::close);
    pool.shutdownNow();
  }

  private static TableStatistics stats(int peer) {
    // peer 2 alone has the category "c" and class "z"; peer 1 has missing values
    List<TableStatistics.ColumnStatistics> cols = List.of(
        new TableStatistics.ColumnStatistics("x", TableSchema.ColumnType.NUMERIC, 10 + peer, peer == 1 ? 3 : 0, 5.5 * (peer + 1), 40.0 + peer, List.of()),
        new TableStatistics.ColumnStatistics("k", TableSchema.ColumnType.CATEGORICAL, 10, 0, 0, 0, peer == 2 ? List.of("a", "c") : List.of("a", "b")));
    return new TableStatistics(10 + peer, cols, "y", peer == 2 ? List.of("p", "z") : List.of("p", "q"));
  }

  private List<Future<TableSchema>> runAll(IntFunction<StatisticsExchange> exchange) throws Exception {
    transports = transports(PEERS);
    List<Future<TableSchema>> out = new ArrayList<>();
    for (int i = 0; i < PEERS.size(); i++) {
      StatisticsExchange e = exchange.apply(i);
      out.add(pool.submit(() -> {
        TableSchema s = e.run(Duration.ofSeconds(30));
        e.linger(Duration.ofSeconds(5));
        return s;
      }));
    }
    return out;
  }

  @Test
  void everyPeerPoolsTheSameSchemaFromEveryonesStatistics() throws Exception {
    List<Future<TableSchema>> results = runAll(i -> new StatisticsExchange(transports.get(i), PEERS, stats(i), null));
    TableSchema expected = TableStatistics.pool(List.of(stats(2), stats(0), stats(1)));
    for (Future<TableSchema> f : results) assertThat(f.get()).isEqualTo(expected);
    assertThat(expected.column("k").orElseThrow().categories()).containsExactly("a", "b", "c");
    assertThat(expected.classes()).containsExactly("p", "q", "z");
    assertThat(expected.column("x").orElseThrow().missingIndicator()).isTrue();
  }

  @Test
  void aPeerWithAnotherSchemaIsRefusedNamingTheColumn() throws Exception {
    TableSchema ours = TableStatistics.pool(List.of(stats(0)));
    TableSchema theirs = new TableSchema(List.of(ours.columns().get(0), TableSchema.Column.categorical("k", List.of("a", "b", "c"))),
        ours.label(), ours.classes());
    List<Future<TableSchema>> results = runAll(i -> new StatisticsExchange(transports.get(i), PEERS, null, i == 2 ? theirs : ours));
    assertThatThrownBy(() -> results.get(0).get()).isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith("Peer peer2 was given another schema: column k has categories [a, b] here but [a, b, c] there");
    assertThatThrownBy(() -> results.get(2).get()).cause().hasMessageStartingWith("Peer peer0 was given another schema: column k");
  }

  @Test
  void aPinnedSchemaBesideStatisticsIsRefused() throws Exception {
    TableSchema ours = TableStatistics.pool(List.of(stats(0)));
    List<Future<TableSchema>> results = runAll(i -> i == 0 ? new StatisticsExchange(transports.get(i), PEERS, null, ours)
        : new StatisticsExchange(transports.get(i), PEERS, stats(i), null));
    for (Future<TableSchema> f : results) {
      assertThatThrownBy(f::get).cause().hasMessageStartingWith("Some peers were given a schema file and others were not");
    }
  }
}
