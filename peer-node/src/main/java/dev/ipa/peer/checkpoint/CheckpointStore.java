package dev.ipa.peer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ipa.alignment.protocol.GaussianUpdateMechanism;
import dev.ipa.alignment.protocol.ModelState;
import dev.ipa.alignment.protocol.StopRecord;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.compression.SnapshotEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads a peer's checkpoints in one directory, one file per completed round
 * ({@code round-000012.ckpt}), keeping the newest {@code keep}.
 *
 * <pre>
 * +----------+---------+-------------+------------------+------------------------------+---------+
 * | "IPACKPT"| version | JSON length | JSON (UTF-8):    | float arrays, each as        | CRC32   |
 * | 7 bytes  | 1 byte  | int32       | provenance, round,| int32 length (-1 = null) +   | int64   |
 * |          | (= 3)   |             | positions, views  | big-endian float32 values:   | of all  |
 * |          |         |             | meta, history,    | params, moments, encoder     | bytes   |
 * |          |         |             | stops, dp         | view, each neighbour's view, | before  |
 * |          |         |             |                   | DP's last published (or -1)  |         |
 * +----------+---------+-------------+------------------+------------------------------+---------+
 * </pre>
 *
 * <p>Version 5 adds, after the consensus model (version 4's last array), the strategy's second model: IPA's
 * own model as two arrays, its parameters and Adam moments (-1 each without one), with its Adam steps as
 * {@code trackIteration} in the JSON. Version 4 files are read without it.
 *
 * <p>Version 3 added the differential-privacy state: {@code dp} in the JSON ({@code releases} and {@code
 * muSquared}, the accountant, or null without DP) and the last published parameters as the final array. Versions
 * 1 and 2 (still read) have neither, so a peer resumed from one counts ε from zero and says so.
 *
 * <p>The JSON's {@code provenance} is a {@link ModelProvenance}: {@code settings} an object of setting name → value
 * and {@code alignedTo} an object of neighbour id → snapshot version. Version 1 (still read) wrote the settings as
 * one string and nothing aligned; it is read as that string under {@link ModelProvenance#LEGACY_SETTINGS}, which is
 * the only difference between the two versions.
 *
 * <p>Writing is atomic: the bytes go to a temporary file in the same directory, are forced to disk, and the file
 * is renamed over its final name (then the directory is forced), so a crash leaves either the old set of files
 * or the new one, never a half-written checkpoint under a final name. Reading verifies the checksum first; a
 * damaged newest file is skipped, logged, and the previous one is used.
 *
 * <p>Thread-safety: one writer (the federation thread); reads happen at start-up before it runs.
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  private static final byte[] MAGIC = "IPACKPT".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 5;
  private static final int VERSION_4 = 4;
  private static final int VERSION_3 = 3;
  private static final int VERSION_2 = 2;
  private static final int VERSION_1 = 1;
  private static final Pattern NAME = Pattern.compile("round-(\\d{6,})\\.ckpt");
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Path directory;
  private final int keep;

  public CheckpointStore(Path directory, int keep) {
    if (keep < 1) throw new IllegalArgumentException("At least one checkpoint must be kept, got " + keep + ".");
    this.directory = directory;
    this.keep = keep;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new IllegalArgumentException("The checkpoint directory " + directory + " cannot be created: " + e.getMessage() + ".", e);
    }
    if (!Files.isWritable(directory)) throw new IllegalArgumentException("The checkpoint directory " + directory + " is not writable.");
    removeUnfinishedWrites();
  }

  /** A crash between writing and renaming leaves {@code round-N.ckpt.tmp}: never a valid checkpoint, so it goes. */
  private void removeUnfinishedWrites() {
    try (Stream<Path> s = Files.list(directory)) {
      for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".ckpt.tmp")).toList()) {
        Files.deleteIfExists(p);
        LOG.info("Removed {}, a checkpoint whose write a crash interrupted.", p.getFileName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not clean unfinished checkpoints in " + directory + ": " + e.getMessage(), e);
    }
  }

  public Path directory() {
    return directory;
  }

  /** The JSON part of the file. */
  record Meta(ModelProvenance provenance, int round, int iteration, int epoch, int cursor, long encoderVersion,
      int encoderRound, int encoderDeltasSinceFull, boolean encoderFullResyncRequested, List<ViewMeta> views,
      List<RoundSummary> history, List<StopRecord> stops, DpMeta dp, Integer trackIteration) {}

  /** The differential-privacy accountant's state (format 3); the published parameters follow as an array. */
  record DpMeta(int releases, double muSquared) {}

  record ViewMeta(String peer, int round, int sync, long sequence, int dataSize) {}

  /**
   * Writes {@code c} atomically, then prunes by validity: the newest {@code keep} checkpoints that pass their
   * checksum stay, damaged ones are moved aside. Returns the file. An interrupt (a shutdown) does not abandon the
   * write half-way: stream I/O, unlike a {@code FileChannel}, is not closed by an interrupt, so the round is
   * either fully written or not renamed into place.
   */
  public Path write(Checkpoint c) {
    Path target = directory.resolve(String.format("round-%06d.ckpt", c.round()));
    Path temp = directory.resolve(target.getFileName() + ".tmp");
    try {
      byte[] bytes = encode(c);
      try (java.io.FileOutputStream out = new java.io.FileOutputStream(temp.toFile())) {
        out.write(bytes);
        out.getFD().sync();
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory();
      prune(target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write checkpoint " + target + ": " + e.getMessage(), e);
    }
  }

  /** Checkpoint files, newest first. */
  public List<Path> files() {
    try (Stream<Path> s = Files.list(directory)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparingInt(CheckpointStore::roundOf).reversed())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list checkpoints in " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * The newest checkpoint that passes its checksum. Damaged ones are moved aside as {@code *.corrupt} (kept for
   * inspection, said at WARN), so they never again count as the newest. Empty if none is valid.
   */
  public Optional<Checkpoint> loadLatest() {
    List<Path> files = files();
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      try {
        Checkpoint c = read(f);
        if (i > 0) LOG.warn("Resuming from the older checkpoint {} because the newer ones were damaged.", f.getFileName());
        return Optional.of(c);
      } catch (CheckpointException e) {
        LOG.warn("Checkpoint {} is damaged ({}); moved aside as {}; {}.", f, e.getMessage(), moveAside(f).getFileName(),
            i + 1 < files.size() ? "falling back to " + files.get(i + 1).getFileName() : "no older checkpoint is left, starting from round 0");
      }
    }
    return Optional.empty();
  }

  /** Renames a damaged checkpoint to {@code *.corrupt} (or {@code *.corrupt-2}, ...); returns the new path. */
  private Path moveAside(Path f) {
    try {
      Path aside = f.resolveSibling(f.getFileName() + ".corrupt");
      for (int n = 2; Files.exists(aside); n++) aside = f.resolveSibling(f.getFileName() + ".corrupt-" + n);
      Files.move(f, aside, StandardCopyOption.ATOMIC_MOVE);
      return aside;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not move the damaged checkpoint " + f + " aside: " + e.getMessage(), e);
    }
  }

  /** Reads one file, verifying its checksum and structure. */
  public static Checkpoint read(Path file) throws CheckpointException {
    byte[] bytes;
    // Stream I/O: an interrupt (a shutdown during pruning) must not make a good checkpoint look unreadable.
    try (java.io.FileInputStream in = new java.io.FileInputStream(file.toFile())) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new CheckpointException("cannot read it: " + e.getMessage(), e);
    }
    return decode(bytes);
  }

  static byte[] encode(Checkpoint c) throws IOException {
    SnapshotEncoder.State enc = c.encoder();
    List<ViewMeta> vm = new ArrayList<>();
    for (Checkpoint.NeighbourView v : c.views()) vm.add(new ViewMeta(v.peer(), v.round(), v.sync(), v.sequence(), v.dataSize()));
    Meta meta = new Meta(c.provenance(), c.round(), c.iteration(), c.epoch(), c.cursor(), enc.version(), enc.round(),
        enc.deltasSinceFull(), enc.fullResyncRequested(), vm, c.history(), c.stops(),
        c.dp() == null ? null : new DpMeta(c.dp().releases(), c.dp().muSquared()), c.track() == null ? null : c.track().iteration());
    byte[] json = JSON.writeValueAsBytes(meta);
    ByteArrayOutputStream buf = new ByteArrayOutputStream(16 + json.length + 4 * (c.params().length + c.moments().length) * 2);
    DataOutputStream out = new DataOutputStream(buf);
    out.write(MAGIC);
    out.writeByte(VERSION);
    out.writeInt(json.length);
    out.write(json);
    writeFloats(out, c.params());
    writeFloats(out, c.moments());
    writeFloats(out, enc.receiversView());
    for (Checkpoint.NeighbourView v : c.views()) writeFloats(out, v.params());
    writeFloats(out, c.dp() == null ? null : c.dp().published());
    writeFloats(out, c.consensus());
    writeFloats(out, c.track() == null ? null : c.track().params());
    writeFloats(out, c.track() == null ? null : c.track().moments());
    out.flush();
    CRC32 crc = new CRC32();
    crc.update(buf.toByteArray());
    out.writeLong(crc.getValue());
    out.flush();
    return buf.toByteArray();
  }

  static Checkpoint decode(byte[] bytes) throws CheckpointException {
    if (bytes.length < MAGIC.length + 1 + 4 + 8) throw new CheckpointException("it is truncated (" + bytes.length + " bytes)");
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    long stored = ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong();
    if (stored != crc.getValue()) throw new CheckpointException("its CRC32 checksum does not match, so it is truncated or corrupt");
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 8));
      byte[] magic = in.readNBytes(MAGIC.length);
      if (!java.util.Arrays.equals(magic, MAGIC)) throw new CheckpointException("it is not an IPA checkpoint");
      int version = in.readUnsignedByte();
      if (version < VERSION_1 || version > VERSION) {
        throw new CheckpointException("it has format version " + version + ", this daemon reads versions " + VERSION_1 + " to " + VERSION);
      }
      int jsonLength = in.readInt();
      if (jsonLength < 0 || jsonLength > bytes.length) throw new CheckpointException("its header is damaged");
      JsonNode tree = JSON.readTree(in.readNBytes(jsonLength));
      if (version == VERSION_1) upgradeVersion1Provenance(tree);
      Meta meta = JSON.treeToValue(tree, Meta.class);
      float[] params = readFloats(in);
      float[] moments = readFloats(in);
      float[] view = readFloats(in);
      List<Checkpoint.NeighbourView> views = new ArrayList<>();
      for (ViewMeta v : meta.views()) views.add(new Checkpoint.NeighbourView(v.peer(), v.round(), v.sync(), v.sequence(), v.dataSize(), readFloats(in)));
      float[] published = version > VERSION_2 ? readFloats(in) : null;
      if ((meta.dp() == null) != (published == null)) throw new CheckpointException("its differential-privacy state is incomplete");
      GaussianUpdateMechanism.State dp = meta.dp() == null ? null : new GaussianUpdateMechanism.State(meta.dp().releases(), meta.dp().muSquared(), published);
      float[] consensus = version > VERSION_3 ? readFloats(in) : null;
      if (consensus != null && consensus.length != params.length) {
        throw new CheckpointException("its consensus model has " + consensus.length + " values but its model " + params.length);
      }
      float[] trackParams = version > VERSION_4 ? readFloats(in) : null;
      float[] trackMoments = version > VERSION_4 ? readFloats(in) : null;
      if ((trackParams == null) != (trackMoments == null) || (trackParams == null) != (meta.trackIteration() == null)) {
        throw new CheckpointException("its personal track is incomplete");
      }
      if (trackParams != null && trackParams.length != params.length) {
        throw new CheckpointException("its personal track has " + trackParams.length + " values but its model " + params.length);
      }
      ModelState track = trackParams == null ? null : new ModelState(trackParams, trackMoments, meta.trackIteration());
      if (in.available() != 0) throw new CheckpointException("it has " + in.available() + " unexpected trailing bytes");
      SnapshotEncoder.State enc = new SnapshotEncoder.State(view, meta.encoderVersion(), meta.encoderRound(), meta.encoderDeltasSinceFull(), meta.encoderFullResyncRequested());
      return new Checkpoint(meta.provenance(), meta.round(), params, moments, meta.iteration(), meta.epoch(), meta.cursor(), enc, views, meta.history(), meta.stops(), dp, consensus, track);
    } catch (EOFException e) {
      throw new CheckpointException("it ends early", e);
    } catch (IOException | IllegalArgumentException e) {
      throw new CheckpointException("it cannot be decoded: " + e.getMessage(), e);
    }
  }

  /** Version 1 kept the settings as one string and no aligned snapshots; version 2 differs only there. */
  private static void upgradeVersion1Provenance(JsonNode tree) throws CheckpointException {
    if (!(tree.get("provenance") instanceof ObjectNode p) || !p.path("settings").isTextual()) {
      throw new CheckpointException("its format-1 provenance has no settings text");
    }
    String text = p.get("settings").asText();
    p.putObject("settings").put(ModelProvenance.LEGACY_SETTINGS, text);
    p.putObject("alignedTo");
  }

  private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
    if (a == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(a.length);
    ByteBuffer b = ByteBuffer.allocate(4 * a.length);
    b.asFloatBuffer().put(a);
    out.write(b.array());
  }

  private static float[] readFloats(DataInputStream in) throws IOException, CheckpointException {
    int n = in.readInt();
    if (n == -1) return null;
    if (n < 0 || 4L * n > in.available()) throw new CheckpointException("an array length (" + n + ") runs past the end of the file");
    float[] a = new float[n];
    ByteBuffer.wrap(in.readNBytes(4 * n)).asFloatBuffer().get(a);
    return a;
  }

  /**
   * Keeps the newest {@code keep} checkpoints that are valid and deletes older valid ones; a damaged file is moved
   * aside, never counted, so the only valid checkpoint is never deleted because damaged files are newer.
   *
   * @param written the checkpoint just written from memory, valid without reading it back
   */
  private void prune(Path written) throws IOException {
    int valid = 0;
    for (Path f : files()) {
      try {
        if (!f.equals(written)) read(f);
      } catch (CheckpointException e) {
        LOG.warn("Checkpoint {} is damaged ({}); moved aside as {}.", f, e.getMessage(), moveAside(f).getFileName());
        continue;
      }
      if (++valid > keep) Files.deleteIfExists(f);
    }
  }

  private void forceDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some file systems cannot open a directory for syncing; the rename is still atomic there.
      LOG.debug("Could not force directory {}: {}", directory, e.getMessage());
    }
  }

  private static int roundOf(Path p) {
    Matcher m = NAME.matcher(p.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }
}
