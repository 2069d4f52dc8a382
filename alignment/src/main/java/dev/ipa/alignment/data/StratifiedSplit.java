package dev.ipa.alignment.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded, stratified train/test split of one labelled source: each class gives round(n_c · f) of its rows to the
 * test set, chosen by a seeded shuffle of that class's rows, but always keeps at least one row for training. The
 * same labels, fraction and seed always give the same split. Pure function.
 */
public final class StratifiedSplit {
    private StratifiedSplit() {}

    /** The rows of each side, each in increasing order. */
    public record Sides(int[] train, int[] test) {}

    /**
     * @param labels       the class of each row, in {@code [0, classes)}
     * @param testFraction the share of each class that goes to the test set, in [0, 1)
     */
    public static Sides split(int[] labels, int classes, double testFraction, long seed) {
        if (!(testFraction >= 0 && testFraction < 1)) {
            throw new IllegalArgumentException("The test fraction must be in [0, 1), got " + testFraction + ".");
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) byClass.add(new ArrayList<>());
        for (int i = 0; i < labels.length; i++) byClass.get(labels[i]).add(i);
        boolean[] isTest = new boolean[labels.length];
        SplittableRandom rng = new SplittableRandom(seed);
        int tests = 0;
        for (List<Integer> rows : byClass) {
            int n = rows.size();
            for (int i = n - 1; i > 0; i--) { // Fisher–Yates
                int j = rng.nextInt(i + 1);
                Integer t = rows.get(i);
                rows.set(i, rows.get(j));
                rows.set(j, t);
            }
            int take = (int) Math.min(Math.max(n - 1, 0), Math.round(n * testFraction));
            for (int k = 0; k < take; k++) isTest[rows.get(k)] = true;
            tests += take;
        }
        int[] train = new int[labels.length - tests];
        int[] test = new int[tests];
        int a = 0;
        int b = 0;
        for (int i = 0; i < labels.length; i++) {
            if (isTest[i]) test[b++] = i;
            else train[a++] = i;
        }
        return new Sides(train, test);
    }
}
