package dev.ipa.bench;

import dev.ipa.compression.Codec;
import dev.ipa.compression.Codecs;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-core encode and decode throughput of every codec, in bytes of float input per second, next to a plain
 * {@code System.arraycopy} of the same array in the same run (the {@code arraycopy} value of {@code codec}) as the
 * memory-bandwidth yardstick.
 *
 * <p>Read the {@code floatBytes} secondary result: it is bytes of float input per second, so divide by 1e9 for
 * GB/s. The primary ops/s is one call over {@code size} floats. Run, for example:
 * {@code java -cp "simulations/target/classes:simulations/target/lib/*" org.openjdk.jmh.Main CodecBenchmark}
 * or narrow it with {@code -p codec=sign,tile:8,arraycopy -p size=16777216}.
 *
 * <p>Inputs are Gaussian with σ = 0.01, like a parameter update; top-k's cost depends on the data, the others'
 * do not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CodecBenchmark {

  @Param({"arraycopy", "none", "fp16", "int8", "sign", "tile:8", "topk:0.01"})
  public String codec;

  @Param({"1048576", "16777216"})
  public int size;

  private Codec instance;
  private float[] input;
  private float[] output;
  private byte[] payload;
  private int payloadLength;

  /** Bytes of float input processed; JMH reports it per second. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Throughput {
    public long floatBytes;

    @Setup(Level.Iteration)
    public void reset() {
      floatBytes = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    var random = new SplittableRandom(42);
    input = new float[size];
    for (int i = 0; i < size; i++) {
      double u = 1 - random.nextDouble();
      input[i] = (float) (0.01 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
    }
    output = new float[size];
    if (!codec.equals("arraycopy")) {
      instance = Codecs.parse(codec);
      payload = new byte[instance.maxEncodedSize(size)];
      payloadLength = instance.encode("bench", input, 0, size, payload, 0);
    }
  }

  @Benchmark
  public int encode(Throughput counter) {
    counter.floatBytes += 4L * size;
    if (instance == null) {
      System.arraycopy(input, 0, output, 0, size);
      return size;
    }
    return instance.encode("bench", input, 0, size, payload, 0);
  }

  @Benchmark
  public float[] decode(Throughput counter) {
    counter.floatBytes += 4L * size;
    if (instance == null) {
      System.arraycopy(input, 0, output, 0, size);
      return output;
    }
    instance.decode(payload, 0, payloadLength, output, 0, size);
    return output;
  }
}
