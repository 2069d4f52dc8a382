package dev.ipa.compression;

import java.util.SplittableRandom;

/** Deterministic test inputs. */
final class Samples {
  private Samples() {}

  /** n Gaussian values with the given scale, from a fixed seed. */
  static float[] gaussian(int n, long seed, double scale) {
    var random = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      // Box-Muller keeps this independent of java.util.Random's nextGaussian implementation.
      double u = 1 - random.nextDouble();
      double v = random.nextDouble();
      x[i] = (float) (scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    }
    return x;
  }

  static float[] constant(int n, float value) {
    float[] x = new float[n];
    java.util.Arrays.fill(x, value);
    return x;
  }

  /** A smooth, platform-independent pattern for golden files: no RNG, no transcendental functions. */
  static float[] pattern(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = ((i * 37 + 11) % 101 - 50) / 64f;
    }
    return x;
  }

  static double l2(float[] a) {
    double s = 0;
    for (float v : a) {
      s += (double) v * v;
    }
    return Math.sqrt(s);
  }

  static double l2Distance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s);
  }
}
