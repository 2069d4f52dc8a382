package dev.ipa.sim.cli;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.alignment.quant.LayerPlan;
import dev.ipa.alignment.quant.ModelFileException;
import dev.ipa.alignment.quant.PackedInference;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.sim.report.Table;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ipa model}: look at and run packed models written by {@code ipa train --export}. */
@Command(name = "model", description = "Inspect, evaluate, export (ONNX) and predict with models.",
    subcommands = {ModelCommand.Inspect.class, ModelCommand.Eval.class, ModelExportCommand.class, ModelPredictCommand.class})
public final class ModelCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads a packed model file; every problem becomes one sentence for the user. */
  static PackedModel read(String file) {
    try {
      return PackedModel.fromBytes(Files.readAllBytes(Path.of(file)), file);
    } catch (NoSuchFileException e) {
      throw new Ipa.UserError("Model file " + file + " does not exist.");
    } catch (IOException e) {
      throw new Ipa.UserError("Could not read model file " + file + ": " + e.getMessage() + ".");
    } catch (ModelFileException e) {
      if (file.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
        throw new Ipa.UserError("Model file " + file + " is an ONNX export, which ONNX runtimes read; give ipa the packed model it was exported from.");
      }
      throw new Ipa.UserError(e.getMessage());
    }
  }

  /** Writes a packed model file atomically (temporary file, then rename), so a reader never sees half a model. */
  static void write(Path file, PackedModel model) {
    write(file, model.toBytes());
  }

  /** Writes {@code bytes} to {@code file} atomically (temporary file, then rename). */
  static void write(Path file, byte[] bytes) {
    Path abs = file.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    try {
      if (abs.getParent() != null) Files.createDirectories(abs.getParent());
      Files.write(tmp, bytes);
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new Ipa.UserError("Could not write the model to " + file + ": " + e.getMessage() + ".");
    }
  }

  static void describe(PrintWriter o, String file, PackedModel m) {
    ModelProvenance p = m.provenance();
    o.printf("Model %s: %s, weights %s%n", file, m.architecture().describe(), m.weightMode());
    o.printf("Provenance: peer %s, round %d, seed %d, code %s%n", p.peerId(), p.round(), p.seed(), p.codeVersion());
    int width = p.settings().keySet().stream().mapToInt(String::length).max().orElse(0);
    p.settings().forEach((name, value) -> o.printf("  setting    %-" + width + "s  %s%n", name, value));
    if (p.alignedTo().isEmpty()) o.println("  aligned to no recorded neighbour snapshot");
    p.alignedTo().forEach((peer, version) -> o.printf("  aligned to %s's snapshot %016x%n", peer, version));
  }

  /** {@code ipa model inspect FILE}. */
  @Command(name = "inspect", description = "Print a packed model's provenance and per-layer storage against fp32.")
  static final class Inspect implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "A packed model file.")
    String file;

    @Override
    public void run() {
      PrintWriter o = spec.commandLine().getOut();
      PackedModel m = read(file);
      describe(o, file, m);
      Table t = new Table("layer", "shape", "mode", "bits/weight", "scales", "bias", "bytes", "fp32 bytes");
      long layerBytes = 0;
      for (LayerPlan l : m.plans()) {
        long fp32 = 4L * (l.weightCount() + l.cols());
        t.row(l.name(), l.rows() + "x" + l.cols(), l.mode(), String.format("%.4f", l.bitsPerWeight()), l.scaleCount(),
            l.biasWidth() == 2 ? "fp16" : "fp32", String.format("%,d", l.packedBytes()), String.format("%,d", fp32));
        layerBytes += l.packedBytes();
      }
      t.row("header", "", "", "", "", "", String.format("%,d", m.fileSize() - layerBytes), "");
      long params = m.fp32Bytes() / 4;
      t.row("total", String.format("%,d params", params), "", String.format("%.4f", 8.0 * m.fileSize() / params), "", "",
          String.format("%,d", m.fileSize()), String.format("%,d", m.fp32Bytes()));
      o.print(t);
      o.printf("File: %,d bytes, 1/%.1f of fp32 (%.4f bits per parameter)%n", m.fileSize(), m.fp32Bytes() / (double) m.fileSize(), 8.0 * m.fileSize() / params);
      o.flush();
    }
  }

  /** {@code ipa model eval FILE}. */
  @Command(name = "eval", description = "Run a packed model on the test set from its packed form; print accuracy and memory.")
  static final class Eval implements Runnable {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin DataOption data;

    @Parameters(paramLabel = "FILE", description = "A packed model file.")
    String file;

    @Option(names = "--batch", defaultValue = "500", description = "Samples per inference batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--verify", description = "Also run the unpacked float network and compare every prediction.")
    boolean verify;

    @Override
    public void run() {
      if (batch < 1) throw new IllegalArgumentException("--batch must be ≥ 1, got " + batch + ".");
      PrintWriter o = spec.commandLine().getOut();
      TrainTest tt = data.load();
      Dataset test = tt.test();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
      PackedModel m = read(file);
      Architecture a = m.architecture();
      if (test.featureSize() != a.inputSize() || test.channels() != a.channels() || test.numClasses() > a.classes()) {
        String shape = a.rows() + "x" + a.cols() + (a.channels() == 1 ? "" : "x" + a.channels());
        throw new Ipa.UserError("The model " + a.describe() + " takes " + shape + " inputs with " + a.classes()
            + " classes, but " + tt.describe() + " has " + test.shape() + " inputs with " + test.numClasses() + " classes.");
      }
      describe(o, file, m);
      PackedInference[] held = {new PackedInference(m)};
      long t0 = System.nanoTime();
      PackedInference.Result r = held[0].evaluate(test, batch);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long peak = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
      long resident = held[0].residentBytes();
      int fileSize = m.fileSize();
      // What model and inference keep alive, measured by the heap: used after GC with them, minus without them.
      long with = usedAfterGc();
      held[0] = null;
      m = null;
      long retained = with - usedAfterGc();
      o.printf("Data: %s%n", tt.describe());
      o.printf("Packed inference: test accuracy %.4f (%d/%d) in %.1f s%n", r.accuracy(), r.correct(), r.count(), seconds);
      o.printf("Memory: packed model file %,d bytes; weights resident for inference %,d bytes (tiles, scales, biases, one column per layer);"
          + " heap retained by model and inference after GC %,d bytes (with batch-%d activations); peak heap %,d bytes (whole process, data included)%n",
          fileSize, resident, retained, batch, peak);
      if (verify) {
        int[] unpacked = new int[test.count()];
        LocalTrainer.evaluate(read(file).toNetwork(), test, null, unpacked);
        int differ = 0;
        for (int i = 0; i < unpacked.length; i++) if (unpacked[i] != r.predictions()[i]) differ++;
        o.printf(differ == 0 ? "Verify: packed predictions identical to the unpacked model on %d/%d test samples%n"
            : "Verify: packed predictions differ from the unpacked model on %2$d of %1$d test samples%n", test.count() - differ, test.count(), differ);
      }
      o.flush();
    }

    private static long usedAfterGc() {
      // Twice: the first full collection can leave objects that only its finalisation/reference processing freed.
      System.gc();
      System.gc();
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
  }
}
