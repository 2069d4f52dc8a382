package dev.ipa.alignment.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirichletSamplerTest {
    /** Gamma(k, 1) has mean k and variance k; a fixed seed keeps this deterministic. */
    @ParameterizedTest
    @ValueSource(doubles = {0.3, 1, 4.5})
    void gammaVariatesHaveTheRightMeanAndVariance(double shape) {
        Random rng = new Random(17);
        int n = 40_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            double g = Math.exp(DirichletSampler.logGamma(shape, rng));
            sum += g;
            sumSq += g * g;
        }
        double mean = sum / n;
        double variance = sumSq / n - mean * mean;

        assertThat(mean).isCloseTo(shape, within(0.03 * shape + 0.01));
        assertThat(variance).isCloseTo(shape, within(0.08 * shape + 0.01));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.001, 0.01, 1, 1000})
    void proportionsAreAProbabilityVectorEvenForTinyAlpha(double alpha) {
        double[] p = DirichletSampler.sample(alpha, 10, new Random(5));

        assertThat(Arrays.stream(p).boxed()).allSatisfy(x -> assertThat(x).isBetween(0.0, 1.0));
        assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, within(1e-12));
    }
}
