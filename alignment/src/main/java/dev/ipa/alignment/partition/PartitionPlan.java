package dev.ipa.alignment.partition;

import java.util.List;
import java.util.Objects;

/**
 * Everything that decides how a data set is split among peers: the spec, the number of peers, the seed and
 * the fractions of every shard kept for local validation and for a local test split. The same plan and labels
 * always give the same shards.
 *
 * <p>Immutable, validated on construction. Call {@link #split(int[], int)} up-front, before any training
 * starts, so that a plan that cannot work (an empty shard, too many disjoint peers) fails immediately.
 *
 * @param validationFraction in {@code [0, 1)}; default {@value #DEFAULT_VALIDATION_FRACTION}
 * @param testFraction       share of every shard kept as its local test split, in {@code [0, 1)} with the validation
 *                           fraction below 1 together; 0 keeps none (the shards of earlier releases, bit for bit)
 */
public record PartitionPlan(PartitionSpec spec, int peers, long seed, double validationFraction, double testFraction) {
    public static final double DEFAULT_VALIDATION_FRACTION = 0.1;
    /** The local test split of {@code ipa simulate} and of a daemon dealt a shard of shared data. */
    public static final double DEFAULT_TEST_FRACTION = 0.1;

    public PartitionPlan {
        Objects.requireNonNull(spec, "spec");
        if (peers < 1) {
            throw new IllegalArgumentException("A partition needs at least 1 peer, but " + peers + " were given.");
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("The validation fraction must be at least 0 and below 1, but it is "
                    + validationFraction + ".");
        }
        if (!(testFraction >= 0 && validationFraction + testFraction < 1)) {
            throw new IllegalArgumentException("The local test fraction must be at least 0 and leave something to train on with the "
                    + "validation fraction " + validationFraction + ", but it is " + testFraction + ".");
        }
    }

    /** A plan without a local test split. */
    public PartitionPlan(PartitionSpec spec, int peers, long seed, double validationFraction) {
        this(spec, peers, seed, validationFraction, 0);
    }

    /** A plan with the default validation fraction. */
    public PartitionPlan(PartitionSpec spec, int peers, long seed) {
        this(spec, peers, seed, DEFAULT_VALIDATION_FRACTION);
    }

    /** Parses {@code spec} (see {@link PartitionSpec#parse}) and uses the default validation fraction. */
    public static PartitionPlan of(String spec, int peers, long seed) {
        return new PartitionPlan(PartitionSpec.parse(spec), peers, seed);
    }

    /** Parses {@code spec} and keeps the default validation and local test splits in every shard. */
    public static PartitionPlan withLocalTest(String spec, int peers, long seed) {
        return new PartitionPlan(PartitionSpec.parse(spec), peers, seed, DEFAULT_VALIDATION_FRACTION, DEFAULT_TEST_FRACTION);
    }

    /** Shorthand for {@link Partitioner#split(PartitionPlan, int[], int)}. */
    public List<Shard> split(int[] labels, int numClasses) {
        return Partitioner.split(this, labels, numClasses);
    }
}
