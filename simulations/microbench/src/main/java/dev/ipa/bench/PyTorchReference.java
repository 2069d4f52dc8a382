package dev.ipa.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch side of {@code ipa bench train}: runs {@code bench/pytorch_train.py} (shipped in this jar) with a
 * Python that can import torch, for the same network, batch size, optimiser, data and thread count, and reads
 * back its samples/s. A benchmark helper: it measures, it asserts nothing.
 *
 * <p>Lifecycle: {@link #find} once, then any number of {@link #measure} calls, each a fresh interpreter (it loads
 * the training set again, which is outside the timed steps). Thread-safe: it holds no mutable state.
 */
public final class PyTorchReference {
  private static final String SCRIPT = "pytorch_train.py";
  private final String python;
  private final String version;
  private final Path script;

  private PyTorchReference(String python, String version, Path script) {
    this.python = python;
    this.version = version;
    this.script = script;
  }

  /** One measurement: PyTorch's own timing of its steps, and the CPU seconds the process used in them. */
  public record Result(String framework, int batch, int threads, int steps, double seconds, double cpuSeconds, double samplesPerSecond) {}

  /**
   * The first of {@code candidates} that imports torch ({@code python3} on the PATH, then Debian's
   * {@code /usr/bin/python3} when none is given), or empty with the reason in {@code why}.
   */
  public static Optional<PyTorchReference> find(List<String> candidates, StringBuilder why) {
    List<String> tried = candidates.isEmpty() ? List.of("python3", "/usr/bin/python3") : candidates;
    for (String python : tried) {
      try {
        Process p = new ProcessBuilder(python, "-c", "import torch; print(torch.__version__)").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return Optional.of(new PyTorchReference(python, out, extractScript()));
        }
        why.append(python).append(": no torch; ");
      } catch (IOException e) {
        why.append(python).append(": not found; ");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    why.append("install it with `apt-get install -y python3-torch`, or pass --python PATH.");
    return Optional.empty();
  }

  private static Path extractScript() throws IOException {
    Path dir = Files.createTempDirectory("ipa-bench-");
    Path file = dir.resolve(SCRIPT);
    try (InputStream in = PyTorchReference.class.getResourceAsStream(SCRIPT)) {
      if (in == null) throw new IOException(SCRIPT + " is missing from the microbench jar; rebuild simulations/microbench.");
      Files.copy(in, file);
    }
    file.toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
    return file;
  }

  public String python() {
    return python;
  }

  public String version() {
    return version;
  }

  /**
   * Trains {@code warmup} then {@code steps} timed steps of {@code model} ({@code cnn} or {@code mlp}) at
   * {@code batch} with {@code threads} intra-op threads on the IDX data in {@code dataDir}.
   */
  public Result measure(Path dataDir, String model, int batch, int warmup, int steps, int threads, long seed) {
    List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--data", dataDir.toString(), "--model", model,
        "--batch", String.valueOf(batch), "--warmup", String.valueOf(warmup), "--steps", String.valueOf(steps),
        "--threads", String.valueOf(threads), "--seed", String.valueOf(seed)));
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
      pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
      Process p = pb.start();
      // A bench stopped with Ctrl-C or kill must not leave PyTorch training on its own.
      Thread reaper = new Thread(p::destroyForcibly);
      Runtime.getRuntime().addShutdownHook(reaper);
      String out;
      try {
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running or about to: nothing to remove.
        }
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("The PyTorch reference (" + String.join(" ", cmd) + ") exited with " + p.exitValue() + ": " + out);
      }
      JsonNode j = new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
      return new Result(j.get("framework").asText(), j.get("batch").asInt(), j.get("threads").asInt(), j.get("steps").asInt(),
          j.get("seconds").asDouble(), j.get("cpu_seconds").asDouble(), j.get("samples_per_second").asDouble());
    } catch (IOException e) {
      throw new IllegalStateException("Could not run the PyTorch reference with " + python + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the PyTorch reference ran.", e);
    }
  }
}
