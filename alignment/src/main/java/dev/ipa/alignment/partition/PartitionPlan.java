package dev.ipa.alignment.partition;

import java.util.List;
import java.util.Objects;

/**
 * Everything that decides how a data set is split among peers: the spec, the number of peers, the seed and
 * the fraction of every shard kept for local validation. The same plan and labels always give the same
 * shards.
 *
 * <p>Immutable, validated on construction. Call {@link #split(int[], int)} up-front, before any training
 * starts, so that a plan that cannot work (an empty shard, too many disjoint peers) fails immediately.
 *
 * @param validationFraction in {@code [0, 1)}; default {@value #DEFAULT_VALIDATION_FRACTION}
 */
public record PartitionPlan(PartitionSpec spec, int peers, long seed, double validationFraction) {
    public static final double DEFAULT_VALIDATION_FRACTION = 0.1;

    public PartitionPlan {
        Objects.requireNonNull(spec, "spec");
        if (peers < 1) {
            throw new IllegalArgumentException("A partition needs at least 1 peer, but " + peers + " were given.");
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("The validation fraction must be at least 0 and below 1, but it is "
                    + validationFraction + ".");
        }
    }

    /** A plan with the default validation fraction. */
    public PartitionPlan(PartitionSpec spec, int peers, long seed) {
        this(spec, peers, seed, DEFAULT_VALIDATION_FRACTION);
    }

    /** Parses {@code spec} (see {@link PartitionSpec#parse}) and uses the default validation fraction. */
    public static PartitionPlan of(String spec, int peers, long seed) {
        return new PartitionPlan(PartitionSpec.parse(spec), peers, seed);
    }

    /** Shorthand for {@link Partitioner#split(PartitionPlan, int[], int)}. */
    public List<Shard> split(int[] labels, int numClasses) {
        return Partitioner.split(this, labels, numClasses);
    }
}
