package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.protocol.GaussianUpdateMechanism;
import dev.ipa.alignment.protocol.StopRecord;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.compression.SnapshotEncoder;
import dev.ipa.compression.ViewHash;
import dev.ipa.peer.checkpoint.Checkpoint;
import dev.ipa.peer.checkpoint.CheckpointException;
import dev.ipa.peer.checkpoint.CheckpointStore;
import dev.ipa.peer.checkpoint.RoundSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
  @TempDir Path dir;

  /** A checkpoint whose provenance is what format version 1 recorded: the settings as one string. */
  static Checkpoint checkpoint(int round) {
    return checkpoint(round, ModelProvenance.fromSettingsText("a", round, 7, "settings", "test"));
  }

  /** A provenance as a daemon writes it today: settings by name, the neighbour snapshot it aligned to. */
  static ModelProvenance structured(int round) {
    // Fixed here, not taken from today's defaults, so the golden file does not change when the defaults do.
    TreeMap<String, String> settings = new TreeMap<>(Map.of("federation.algorithm", "ipa", "federation.mix", "1.0",
        "compression.codec", "sign", "peer.model", "mlp"));
    return new ModelProvenance("a", round, 7, settings, "test", new TreeMap<>(Map.of("b", 0x9e3779b97f4a7c15L)));
  }

  static Checkpoint checkpoint(int round, ModelProvenance provenance) {
    List<RoundSummary> history = new ArrayList<>();
    for (int r = 0; r <= round; r++) history.add(new RoundSummary(r, 1.0 / (r + 1), 0.5, 0.7, 0.6, 0.8, 1000L * r, List.of(), 0, false, null, 12, "2026-01-01T00:00:00Z", null, null, null, null, null, null, null, null, null));
    float[] params = {round, 1.5f, -2.25f, Float.MIN_VALUE};
    float[] view = {0.5f, 0.25f, round, 1};
    return new Checkpoint(provenance, round, params, new float[] {1, 2, 3, 4, 5, 6, 7, 8},
        42 + round, 3, 17, new SnapshotEncoder.State(view, ViewHash.of(view), round, 1, false),
        List.of(new Checkpoint.NeighbourView("b", round, 0, round + 1, 900, new float[] {9, 8, 7, 6})), history,
        List.of(new StopRecord("b", round, "reached validation accuracy 0.9")));
  }

  @Test
  void roundTripKeepsEveryField() throws Exception {
    CheckpointStore store = new CheckpointStore(dir, 2);
    Checkpoint c = checkpoint(3);
    Checkpoint back = CheckpointStore.read(store.write(c));
    assertThat(back.round()).isEqualTo(3);
    assertThat(back.params()).containsExactly(c.params());
    assertThat(back.moments()).containsExactly(c.moments());
    assertThat(back.iteration()).isEqualTo(45);
    assertThat(back.epoch()).isEqualTo(3);
    assertThat(back.cursor()).isEqualTo(17);
    assertThat(back.encoder().receiversView()).containsExactly(c.encoder().receiversView());
    assertThat(back.encoder().version()).isEqualTo(c.encoder().version());
    assertThat(back.views().get(0).params()).containsExactly(9, 8, 7, 6);
    assertThat(back.views().get(0).dataSize()).isEqualTo(900);
    assertThat(back.history()).isEqualTo(c.history());
    assertThat(back.stops()).isEqualTo(c.stops());
    assertThat(back.provenance()).isEqualTo(c.provenance());
  }

  @Test
  void keepsOnlyTheNewestTwoAndLeavesNoTemporaryFiles() throws Exception {
    CheckpointStore store = new CheckpointStore(dir, 2);
    for (int r = 0; r < 4; r++) store.write(checkpoint(r));
    assertThat(store.files()).extracting(p -> p.getFileName().toString()).containsExactly("round-000003.ckpt", "round-000002.ckpt");
    try (var s = Files.list(dir)) {
      assertThat(s.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
    }
    assertThat(store.loadLatest()).hasValueSatisfying(c -> assertThat(c.round()).isEqualTo(3));
  }

  @Test
  void aCorruptNewestCheckpointFallsBackToThePreviousOne() throws Exception {
    CheckpointStore store = new CheckpointStore(dir, 2);
    store.write(checkpoint(0));
    Path newest = store.write(checkpoint(1));
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(newest, bytes);
    assertThatThrownBy(() -> CheckpointStore.read(newest)).isInstanceOf(CheckpointException.class).hasMessageContaining("CRC32");
    assertThat(store.loadLatest()).hasValueSatisfying(c -> assertThat(c.round()).isEqualTo(0));
  }

  @Test
  void aTruncatedNewestCheckpointFallsBackToThePreviousOne() throws Exception {
    CheckpointStore store = new CheckpointStore(dir, 2);
    store.write(checkpoint(4));
    Path newest = store.write(checkpoint(5));
    byte[] bytes = Files.readAllBytes(newest);
    Files.write(newest, Arrays.copyOf(bytes, bytes.length - 100));
    assertThat(store.loadLatest()).hasValueSatisfying(c -> assertThat(c.round()).isEqualTo(4));
  }

  @Test
  void damagedNewestCheckpointsAreMovedAsideAndNeverPruneTheOnlyValidOne() throws Exception {
    // The hostile test of issue 16: the two newest checkpoints damaged, a restart at round 0, and every new
    // round-000000.ckpt deleted at once because the damaged 28 and 29 still counted as newest.
    CheckpointStore store = new CheckpointStore(dir, 2);
    for (int r : new int[] {28, 29}) {
      Path f = store.write(checkpoint(r));
      byte[] bytes = Files.readAllBytes(f);
      for (int i = 0; i < 4; i++) bytes[bytes.length / 2 + i] ^= 0x5a;
      Files.write(f, bytes);
    }
    CheckpointStore restarted = new CheckpointStore(dir, 2);
    assertThat(restarted.loadLatest()).isEmpty();
    assertThat(dir.resolve("round-000028.ckpt.corrupt")).exists();
    assertThat(dir.resolve("round-000029.ckpt.corrupt")).exists();
    restarted.write(checkpoint(0));
    assertThat(restarted.files()).extracting(p -> p.getFileName().toString()).containsExactly("round-000000.ckpt");
    // After the next kill -9, the round the API showed is still there.
    assertThat(new CheckpointStore(dir, 2).loadLatest()).hasValueSatisfying(c -> assertThat(c.round()).isZero());
  }

  @Test
  void aCheckpointDamagedAfterItWasWrittenIsMovedAsideWhenPruning() throws Exception {
    CheckpointStore store = new CheckpointStore(dir, 2);
    store.write(checkpoint(0));
    Path one = store.write(checkpoint(1));
    Files.write(one, new byte[] {1, 2, 3});
    store.write(checkpoint(2));
    assertThat(store.files()).extracting(p -> p.getFileName().toString()).containsExactly("round-000002.ckpt", "round-000000.ckpt");
    assertThat(dir.resolve("round-000001.ckpt.corrupt")).exists();
  }

  @Test
  void anUnfinishedWriteLeftByACrashIsRemovedAtStart() throws Exception {
    new CheckpointStore(dir, 2).write(checkpoint(0));
    Files.write(dir.resolve("round-000001.ckpt.tmp"), new byte[] {1, 2, 3});
    CheckpointStore restarted = new CheckpointStore(dir, 2);
    assertThat(dir.resolve("round-000001.ckpt.tmp")).doesNotExist();
    assertThat(restarted.loadLatest()).hasValueSatisfying(c -> assertThat(c.round()).isZero());
  }

  @Test
  void anInterruptDuringAWriteDoesNotAbandonIt() throws Exception {
    CheckpointStore store = new CheckpointStore(dir, 2);
    Thread.currentThread().interrupt(); // what PeerNode.close does to the federation thread on SIGTERM
    try {
      store.write(checkpoint(3));
    } finally {
      assertThat(Thread.interrupted()).as("the interrupt is kept for the caller to see").isTrue();
    }
    assertThat(store.loadLatest()).hasValueSatisfying(c -> assertThat(c.round()).isEqualTo(3));
  }

  @Test
  void noUsableCheckpointMeansAFreshStart() throws Exception {
    CheckpointStore store = new CheckpointStore(dir, 2);
    Files.write(dir.resolve("round-000000.ckpt"), new byte[] {1, 2, 3});
    assertThat(store.loadLatest()).isEmpty();
  }

  @Test
  void aHistoryWithAGapIsRejected() {
    Checkpoint c = checkpoint(2);
    List<RoundSummary> gap = List.of(c.history().get(0), c.history().get(2), c.history().get(2));
    assertThatThrownBy(() -> new Checkpoint(c.provenance(), 2, c.params(), c.moments(), 0, 0, 0, c.encoder(), c.views(), gap, c.stops()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not contiguous");
  }

  /**
   * A checkpoint written by format version 1 (golden file, made from {@link #checkpoint(int)} with round 3) must
   * keep loading after refactors. Regenerate only with a format version bump.
   */
  @Test
  void goldenVersion1CheckpointStillLoads() throws Exception {
    Path golden = Path.of(getClass().getResource("golden/round-000003.ckpt").toURI());
    Checkpoint back = CheckpointStore.read(golden);
    Checkpoint want = checkpoint(3);
    assertThat(back.params()).containsExactly(want.params());
    assertThat(back.moments()).containsExactly(want.moments());
    assertThat(back.iteration()).isEqualTo(want.iteration());
    assertThat(back.epoch()).isEqualTo(want.epoch());
    assertThat(back.cursor()).isEqualTo(want.cursor());
    assertThat(back.encoder().receiversView()).containsExactly(want.encoder().receiversView());
    assertThat(back.views().get(0).params()).containsExactly(want.views().get(0).params());
    assertThat(back.history()).isEqualTo(want.history());
    assertThat(back.stops()).isEqualTo(want.stops());
    assertThat(back.provenance()).isEqualTo(want.provenance());
  }

  @Test
  void aVersion1CheckpointKeepsItsSettingsTextAsTheLegacySetting() throws Exception {
    Checkpoint back = CheckpointStore.read(Path.of(getClass().getResource("golden/round-000003.ckpt").toURI()));
    assertThat(back.provenance().settings()).containsExactly(Map.entry(ModelProvenance.LEGACY_SETTINGS, "settings"));
    assertThat(back.provenance().alignedTo()).isEmpty();
    assertThat(back.provenance().peerId()).isEqualTo("a");
    assertThat(back.provenance().round()).isEqualTo(3);
    assertThat(back.provenance().seed()).isEqualTo(7);
  }

  @Test
  void structuredProvenanceRoundTripsSettingBySetting() throws Exception {
    Checkpoint c = checkpoint(2, structured(2));
    Checkpoint back = CheckpointStore.read(new CheckpointStore(dir, 2).write(c));
    assertThat(back.provenance()).isEqualTo(c.provenance());
    assertThat(back.provenance().settings()).containsEntry("federation.algorithm", "ipa").containsEntry("compression.codec", "sign")
        .containsEntry("federation.mix", "1.0").containsEntry("peer.model", "mlp");
    assertThat(back.provenance().alignedTo()).containsExactly(Map.entry("b", 0x9e3779b97f4a7c15L));
  }

  /**
   * A checkpoint written by format version 2 (golden file, made from {@link #checkpoint(int, ModelProvenance)} with
   * round 3 and {@link #structured}) must keep loading after refactors. Today's writer writes version 3, so this file
   * can no longer be regenerated.
   */
  @Test
  void goldenVersion2CheckpointStillLoads() throws Exception {
    Checkpoint want = checkpoint(3, structured(3));
    Checkpoint back = CheckpointStore.read(Path.of(getClass().getResource("golden/v2/round-000003.ckpt").toURI()));
    assertThat(back.params()).containsExactly(want.params());
    assertThat(back.encoder().receiversView()).containsExactly(want.encoder().receiversView());
    assertThat(back.views().get(0).params()).containsExactly(want.views().get(0).params());
    assertThat(back.history()).isEqualTo(want.history());
    assertThat(back.provenance()).isEqualTo(want.provenance());
  }

  /** A peer with differential privacy: 12 releases (two noise multipliers' worth of μ²) and its last published θ. */
  static Checkpoint withDp(int round) {
    Checkpoint c = checkpoint(round, structured(round));
    return new Checkpoint(c.provenance(), c.round(), c.params(), c.moments(), c.iteration(), c.epoch(), c.cursor(), c.encoder(), c.views(),
        c.history(), c.stops(), new GaussianUpdateMechanism.State(12, 12 / 4.0 + 0.125, new float[] {0.25f, -1, 3, Float.MAX_VALUE}), null);
  }

  @Test
  void theDifferentialPrivacyStateRoundTrips() throws Exception {
    Checkpoint c = withDp(2);
    Checkpoint back = CheckpointStore.read(new CheckpointStore(dir, 2).write(c));
    assertThat(back.dp().releases()).isEqualTo(12);
    assertThat(back.dp().muSquared()).isEqualTo(3.125);
    assertThat(back.dp().published()).containsExactly(c.dp().published());
    assertThat(CheckpointStore.read(new CheckpointStore(dir.resolve("none"), 2).write(checkpoint(2))).dp()).as("without DP").isNull();
  }

  /**
   * A checkpoint written by format version 3 (golden file, made from {@link #withDp} with round 3) must keep
   * loading after refactors. Regenerate only with a format version bump: {@code -Dipa.golden.write=true} writes it
   * under src/test/resources.
   */
  @Test
  void goldenVersion3CheckpointStillLoads() throws Exception {
    Checkpoint want = withDp(3);
    if (Boolean.getBoolean("ipa.golden.write")) new CheckpointStore(Path.of("src/test/resources/dev/ipa/peer/golden/v3"), 1).write(want);
    Checkpoint back = CheckpointStore.read(Path.of(getClass().getResource("golden/v3/round-000003.ckpt").toURI()));
    assertThat(back.params()).containsExactly(want.params());
    assertThat(back.views().get(0).params()).containsExactly(want.views().get(0).params());
    assertThat(back.history()).isEqualTo(want.history());
    assertThat(back.provenance()).isEqualTo(want.provenance());
    assertThat(back.dp().releases()).isEqualTo(want.dp().releases());
    assertThat(back.dp().muSquared()).isEqualTo(want.dp().muSquared());
    assertThat(back.dp().published()).containsExactly(want.dp().published());
    assertThat(back.consensus()).as("format 3 has no consensus model").isNull();
    assertThat(back.history().get(0).consensusTestAccuracy()).isNull();
  }

  @Test
  void aCheckpointOfAnUnknownFormatVersionIsRejected() throws Exception {
    Path file = new CheckpointStore(dir, 2).write(checkpoint(1));
    byte[] bytes = Files.readAllBytes(file);
    bytes[7] = 6;
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    java.nio.ByteBuffer.wrap(bytes).putLong(bytes.length - 8, crc.getValue());
    Files.write(file, bytes);
    assertThatThrownBy(() -> CheckpointStore.read(file)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("format version 6, this daemon reads versions 1 to 5");
  }

  /** Format 4 keeps the consensus model beside θ, and the consensus figures in the round history. */
  @Test
  void theConsensusModelAndItsFiguresRoundTrip() throws Exception {
    Checkpoint c = withDp(2);
    List<RoundSummary> history = new ArrayList<>();
    for (RoundSummary r : c.history()) {
      history.add(new RoundSummary(r.round(), r.trainLoss(), r.validationAccuracy(), r.validationLoss(), r.testAccuracy(), r.testLoss(), r.bytesSent(),
          r.failures(), r.maxStaleness(), r.frozen(), r.stop(), r.durationMillis(), r.finishedAt(), r.epsilon(), r.testBalancedAccuracy(),
          r.testMacroF1(), r.testAuc(), 0.75 + r.round() / 100.0, 0.5, 0.8 + r.round() / 100.0, 0.85, 0.7));
    }
    float[] consensus = {-1, 0.125f, 2, Float.MIN_NORMAL};
    Checkpoint with = new Checkpoint(c.provenance(), c.round(), c.params(), c.moments(), c.iteration(), c.epoch(), c.cursor(), c.encoder(), c.views(),
        history, c.stops(), c.dp(), consensus);
    Checkpoint back = CheckpointStore.read(new CheckpointStore(dir, 2).write(with));
    assertThat(back.consensus()).containsExactly(consensus);
    assertThat(back.history().get(2).consensusTestAccuracy()).isEqualTo(0.77);
    assertThat(back.history()).isEqualTo(history);
    assertThat(back.dp().published()).containsExactly(c.dp().published());
    // Without a consensus of its own (FedAvg, local-only) nothing is stored.
    assertThat(CheckpointStore.read(new CheckpointStore(dir, 2).write(c)).consensus()).isNull();
  }

  /** Format 5 keeps IPA's personal track (parameters, Adam moments and steps) beside the consensus. */
  @Test
  void thePersonalTrackRoundTripsAndAnIncompleteOneIsRefused() throws Exception {
    Checkpoint c = withDp(2);
    float[] consensus = {-1, 0.125f, 2, Float.MIN_NORMAL};
    dev.ipa.alignment.protocol.ModelState track = new dev.ipa.alignment.protocol.ModelState(new float[] {0.5f, -0.25f, 3, 4},
        new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 17);
    Checkpoint with = new Checkpoint(c.provenance(), c.round(), c.params(), c.moments(), c.iteration(), c.epoch(), c.cursor(), c.encoder(), c.views(),
        c.history(), c.stops(), c.dp(), consensus, track);
    Checkpoint back = CheckpointStore.read(new CheckpointStore(dir, 2).write(with));
    assertThat(back.track().params()).containsExactly(track.params());
    assertThat(back.track().moments()).containsExactly(track.moments());
    assertThat(back.track().iteration()).isEqualTo(17);
    assertThat(back.consensus()).containsExactly(consensus);
    assertThat(CheckpointStore.read(new CheckpointStore(dir, 2).write(c)).track()).as("none: nothing stored").isNull();

    Checkpoint wrongSize = new Checkpoint(c.provenance(), c.round(), c.params(), c.moments(), c.iteration(), c.epoch(), c.cursor(), c.encoder(), c.views(),
        c.history(), c.stops(), c.dp(), consensus, new dev.ipa.alignment.protocol.ModelState(new float[] {1, 2}, new float[] {1, 2, 3, 4}, 1));
    assertThatThrownBy(() -> CheckpointStore.read(new CheckpointStore(dir.resolve("bad"), 2).write(wrongSize))).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("its personal track has 2 values but its model 4");
  }
}
