package dev.ipa.alignment.partition;

import java.util.Random;

/**
 * Draws from a symmetric Dirichlet distribution by normalising Gamma variates, with Gamma sampled by
 * Marsaglia and Tsang, "A Simple Method for Generating Gamma Variables", ACM TOMS 26(3), 2000.
 *
 * <p>For shape α &lt; 1 it uses their boost {@code Gamma(α) = Gamma(α+1) · U^(1/α)}. At α = 0.01 that power
 * underflows to 0 for almost every draw, which would leave all proportions 0; the variates are therefore kept
 * as logarithms and normalised with log-sum-exp.
 */
final class DirichletSampler {
    private DirichletSampler() {
    }

    /** Proportions {@code p[0..k)}, each ≥ 0, summing to 1, drawn from Dir(α, ..., α). */
    static double[] sample(double alpha, int k, Random rng) {
        double[] logs = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            logs[i] = logGamma(alpha, rng);
            max = Math.max(max, logs[i]);
        }
        double sum = 0;
        double[] p = new double[k];
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp(logs[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < k; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The natural logarithm of a Gamma(shape, 1) variate. */
    static double logGamma(double shape, Random rng) {
        if (shape < 1) {
            double u = 1 - rng.nextDouble();  // (0, 1], so the log is finite
            return logGamma(shape + 1, rng) + Math.log(u) / shape;
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = rng.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1 - rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) {
                return Math.log(d * v);
            }
            if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return Math.log(d * v);
            }
        }
    }
}
