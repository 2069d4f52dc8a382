package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.table.SchemaJson;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.peer.federation.PeerNode;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons, each with its own CSV file of records (ipa.peer.data, ipa.peer.label), agree on one schema through
 * the federated-statistics exchange over mutual-TLS Netty before round 0, then train on it; with schema files that
 * differ they refuse each other, naming the column.
 */
class TablePeersTest {
  private static Path records(Path dir, String name, String[] wards, long seed) throws Exception {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder("age,ward,outcome\n");
    for (int i = 0; i < 200; i++) {
      double age = 20 + r.nextInt(60);
      b.append(r.nextInt(15) == 0 ? "" : String.valueOf(age)).append(',').append(wards[r.nextInt(wards.length)]).append(',')
          .append(age + r.nextGaussian() * 10 > 50 ? "sick" : "well").append('\n');
    }
    Path p = dir.resolve(name);
    Files.writeString(p, b.toString());
    return p;
  }

  private static Map<String, String> config(TestPeers peers, String id, Path csv) throws Exception {
    Map<String, String> c = peers.config(id, TestPeers.freePort());
    c.put("ipa.peer.data", csv.toString());
    c.put("ipa.peer.label", "outcome");
    c.remove("ipa.peer.partition");
    c.remove("ipa.peer.shard-index");
    c.remove("ipa.peer.peers-in-partition");
    c.put("ipa.peer.auto-start", "true");
    c.put("ipa.federation.exchange-timeout", "2m");
    return c;
  }

  private static CompletableFuture<ApplicationContext> start(Map<String, String> c) {
    // each daemon blocks in its constructor until the exchange is done, so they start side by side
    return CompletableFuture.supplyAsync(() -> PeerDaemon.start(TestPeers.args(c)));
  }

  @Test
  void twoDaemonsPoolOneSchemaAndTrainOnIt(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    Map<String, String> ca = config(peers, "a", records(dir, "a.csv", new String[] {"w1", "w2", "w3"}, 1));
    Map<String, String> cb = config(peers, "b", records(dir, "b.csv", new String[] {"w1", "w2"}, 2));
    CompletableFuture<ApplicationContext> fa = start(ca);
    CompletableFuture<ApplicationContext> fb = start(cb);
    try (ApplicationContext a = fa.join(); ApplicationContext b = fb.join()) {
      for (ApplicationContext ctx : List.of(a, b)) {
        PeerNode node = ctx.getBean(PeerNode.class);
        node.join(Duration.ofMinutes(2));
        assertThat(node.status().state()).isEqualTo("finished");
        assertThat(node.history()).hasSize(2);
      }
    }
    TableSchema sa = SchemaJson.read(dir.resolve("ckpt-a").resolve(PeerNode.SCHEMA_FILE));
    TableSchema sb = SchemaJson.read(dir.resolve("ckpt-b").resolve(PeerNode.SCHEMA_FILE));
    assertThat(sb).isEqualTo(sa);
    // b never saw ward w3, but its inputs have a slot for it: a's statistics brought it
    assertThat(sb.column("ward").orElseThrow().categories()).containsExactly("w1", "w2", "w3");
    assertThat(sa.column("age").orElseThrow().missingIndicator()).isTrue();
  }

  @Test
  void daemonsWithDifferentSchemaFilesRefuseEachOtherNamingTheColumn(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    Path csv = records(dir, "a.csv", new String[] {"w1", "w2"}, 1);
    TableSchema base = SchemaJson.read(writeSchema(dir, csv));
    TableSchema other = new TableSchema(List.of(base.columns().get(0), TableSchema.Column.categorical("ward", List.of("w1", "w2", "w9"))),
        base.label(), base.classes());
    Path otherFile = dir.resolve("other.json");
    SchemaJson.write(other, otherFile);
    Map<String, String> ca = config(peers, "a", csv);
    ca.put("ipa.peer.schema", dir.resolve("schema.json").toString());
    Map<String, String> cb = config(peers, "b", csv);
    cb.put("ipa.peer.schema", otherFile.toString());
    ca.put("ipa.federation.rounds", "1");
    cb.put("ipa.federation.rounds", "1");
    CompletableFuture<ApplicationContext> fa = start(ca);
    CompletableFuture<ApplicationContext> fb = start(cb);
    assertThatThrownBy(fa::join).isInstanceOf(CompletionException.class).cause().isInstanceOf(PeerDaemon.StartupFailure.class)
        .hasMessageContaining("Peer b was given another schema: column ward has categories [w1, w2] here but [w1, w2, w9] there");
    assertThatThrownBy(fb::join).cause().hasMessageContaining("Peer a was given another schema: column ward");
  }

  private static Path writeSchema(Path dir, Path csv) throws Exception {
    Path out = dir.resolve("schema.json");
    dev.ipa.alignment.table.TableSource.Rows rows = dev.ipa.alignment.table.TableSource.read(csv.toString(),
        dev.ipa.alignment.table.TableSource.Options.defaults());
    SchemaJson.write(dev.ipa.alignment.table.TableStatistics.pool(List.of(rows.statistics())), out);
    return out;
  }
}
