package dev.ipa.alignment.partition;

import java.util.List;

/** Helpers for checking partitions. */
final class Shards {
    private Shards() {
    }

    /** How many times each sample index occurs across all shards, in training or validation. */
    static int[] occurrences(List<Shard> shards, int n) {
        int[] seen = new int[n];
        for (Shard s : shards) {
            for (int i : s.train()) {
                seen[i]++;
            }
            for (int i : s.validation()) {
                seen[i]++;
            }
        }
        return seen;
    }

    /** Class histogram of a shard (training and validation). */
    static int[] classCounts(Shard s, int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int i : s.train()) {
            counts[labels[i]]++;
        }
        for (int i : s.validation()) {
            counts[labels[i]]++;
        }
        for (int i : s.test()) {
            counts[labels[i]]++;
        }
        return counts;
    }

    /** {@code perClass} samples of each of {@code numClasses} classes, interleaved: 0,1,..,K-1,0,1,... */
    static int[] balancedLabels(int numClasses, int perClass) {
        int[] labels = new int[numClasses * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % numClasses;
        }
        return labels;
    }
}
