package dev.ipa.alignment.partition;

import java.util.Arrays;

/**
 * The samples one peer owns: indices into the data set it was cut from, split into a local training part, a
 * local validation part and a local test part (the organisation's own held-out data). Peers are numbered from 0.
 *
 * <p>Immutable: the arrays are copied on the way in and out. All arrays are sorted ascending.
 *
 * @param peer       the peer's number, 0-based
 * @param train      indices this peer trains on; never empty
 * @param validation indices this peer validates on (early stopping, the trust gate)
 * @param test       indices this peer tests its models on and never trains or validates on: its personal accuracy;
 *                   empty when the plan keeps no local test split
 * @param classes    the classes present in the shard, ascending
 * @param size       {@code train.length + validation.length + test.length}
 */
public record Shard(int peer, int[] train, int[] validation, int[] test, int[] classes, int size) {
    public Shard {
        if (peer < 0) {
            throw new IllegalArgumentException("A shard's peer number must be 0 or more, but it is " + peer + ".");
        }
        train = train.clone();
        validation = validation.clone();
        test = test.clone();
        classes = classes.clone();
        if (size != train.length + validation.length + test.length) {
            throw new IllegalArgumentException("Shard of peer " + peer + " declares size " + size + " but holds "
                    + train.length + " training, " + validation.length + " validation and " + test.length + " test samples.");
        }
    }

    @Override
    public int[] train() {
        return train.clone();
    }

    @Override
    public int[] validation() {
        return validation.clone();
    }

    @Override
    public int[] test() {
        return test.clone();
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shard s && peer == s.peer && size == s.size && Arrays.equals(train, s.train)
                && Arrays.equals(validation, s.validation) && Arrays.equals(test, s.test) && Arrays.equals(classes, s.classes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * peer + Arrays.hashCode(train)) + Arrays.hashCode(validation)) + Arrays.hashCode(test);
    }

    @Override
    public String toString() {
        return "Shard[peer=" + peer + ", train=" + train.length + ", validation=" + validation.length
                + ", test=" + test.length + ", classes=" + Arrays.toString(classes) + "]";
    }
}
