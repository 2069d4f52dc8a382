package dev.ipa.compression;

/**
 * A rough, self-timing look at codec throughput next to System.arraycopy, for a developer to run by hand
 * ({@code java -cp target/classes:target/test-classes dev.ipa.compression.CodecSpeedCheck}). Not a test: it
 * asserts nothing and surefire does not pick it up. The real figures come from simulations' CodecBenchmark (JMH).
 */
public final class CodecSpeedCheck {
  private static volatile Object sink;

  private CodecSpeedCheck() {}

  public static void main(String[] args) {
    String[] specs = args.length > 0 ? args : new String[] {"none", "fp16", "int8", "sign", "tile:8", "topk:0.01"};
    for (int n : new int[] {1 << 20, 1 << 24}) {
      float[] x = Samples.gaussian(n, 1, 0.01);
      float[] copy = new float[n];
      double gb = 4.0 * n / 1e9;
      double copyTime = best(() -> System.arraycopy(x, 0, copy, 0, n), n);
      System.out.printf("n = %,d floats (%.0f MB)%n", n, 4.0 * n / (1 << 20));
      System.out.printf("  %-10s %8.2f GB/s%n", "arraycopy", gb / copyTime);
      for (String spec : specs) {
        Codec codec = Codecs.parse(spec);
        byte[] out = new byte[codec.maxEncodedSize(n)];
        int[] length = new int[1];
        double encode = best(() -> length[0] = codec.encode("x", x, 0, n, out, 0), n);
        float[] decoded = new float[n];
        double decode = best(() -> codec.decode(out, 0, length[0], decoded, 0, n), n);
        System.out.printf("  %-10s encode %8.2f GB/s (%3.0f%% of copy)   decode %8.2f GB/s (%3.0f%% of copy)%n",
            spec, gb / encode, 100 * copyTime / encode, gb / decode, 100 * copyTime / decode);
        sink = decoded;
      }
    }
  }

  /** Best wall time in seconds over enough repetitions to warm up the JIT. */
  private static double best(Runnable r, int n) {
    int reps = Math.max(20, (int) (400_000_000L / n));
    double best = Double.MAX_VALUE;
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      r.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return best;
  }
}
