package dev.ipa.sim.engine;

import dev.ipa.alignment.partition.PartitionPlan;
import dev.ipa.alignment.partition.PartitionSpec;
import dev.ipa.alignment.partition.Partitioner;
import dev.ipa.alignment.partition.Shard;
import dev.ipa.alignment.table.StatisticsExchange;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.alignment.table.TableSource;
import dev.ipa.alignment.table.TableStatistics;
import dev.ipa.transport.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Prepares a simulated federation on a table as real peers would: the rows are divided among the peers first
 * (any partitioner, or {@code by:COLUMN} natural silos), each peer computes the statistics of its own rows, the
 * peers run the federated-statistics exchange over an in-memory network, and every peer's copy of the pooled
 * schema must be the same; the rows are then encoded with it. The round protocol runs afterwards on its own
 * network, as a daemon runs its exchange before opening the round transport.
 */
public final class TableFederation {
  private TableFederation() {
  }

  /**
   * @param data     the encoded training and test sets (training set row i is {@code rows.trainRows()[i]})
   * @param shards   each peer's indices into {@code data.train()}
   * @param silos    for {@code by:COLUMN}, the column value of each peer; otherwise empty
   */
  public record Prepared(dev.ipa.alignment.data.TrainTest data, List<Shard> shards, TableSchema schema, List<String> silos,
                         List<String> warnings) {
    public int peers() {
      return shards.size();
    }
  }

  public static Prepared prepare(TableSource.Rows rows, PartitionSpec spec, int peers, long seed, double validationFraction,
                                 double testFraction, TableSchema pinned) throws InterruptedException {
    int[] labels = rows.labelIndices();
    int classes = java.util.Arrays.stream(labels).max().orElse(0) + 1;
    List<Shard> shards;
    List<String> silos = List.of();
    if (spec instanceof PartitionSpec.ByColumn by) {
      Partitioner.NaturalSilos n = Partitioner.natural(by.column(), rows.valuesOf(by.column()), labels, classes, seed, validationFraction, testFraction);
      shards = n.shards();
      silos = n.values();
    } else {
      shards = new PartitionPlan(spec, peers, seed, validationFraction, testFraction).split(labels, classes);
    }
    TableSchema schema = exchange(rows, shards, pinned);
    TableSource.Encoded e = rows.encode(schema);
    return new Prepared(e.data(), shards, schema, silos, e.warnings());
  }

  /** Runs the exchange between the shards' peers over an in-memory network; returns the schema they all agree on. */
  static TableSchema exchange(TableSource.Rows rows, List<Shard> shards, TableSchema pinned) throws InterruptedException {
    int n = shards.size();
    List<String> ids = IntStream.range(0, n).mapToObj(i -> "peer" + i).toList();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(n, 64));
    try (InMemoryNetwork network = new InMemoryNetwork()) {
      List<Future<TableSchema>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Shard s = shards.get(i);
        TableStatistics own = pinned != null ? null : rows.statistics(java.util.stream.IntStream.concat(
            java.util.Arrays.stream(s.train()), java.util.Arrays.stream(s.validation())).sorted().toArray());
        StatisticsExchange ex = new StatisticsExchange(network.transport(ids.get(i)), ids, own, pinned);
        results.add(pool.submit(() -> {
          TableSchema schema = ex.run(Duration.ofSeconds(60));
          ex.linger(Duration.ofSeconds(10));
          return schema;
        }));
      }
      TableSchema agreed = null;
      for (Future<TableSchema> f : results) {
        TableSchema s = f.get();
        if (agreed != null && !agreed.equals(s)) {
          throw new IllegalStateException("Two simulated peers pooled different schemas (" + agreed.firstDifference(s).orElse("?")
              + "); pooling must be deterministic, so this is a bug.");
        }
        agreed = s;
      }
      return agreed;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
