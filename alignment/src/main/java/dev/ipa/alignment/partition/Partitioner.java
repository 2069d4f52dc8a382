package dev.ipa.alignment.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Divides sample indices among peers according to a {@link PartitionPlan}. Pure functions of the labels and
 * the plan: no I/O, no clocks, no shared state, so they are thread-safe and the same inputs always give the
 * same shards on every JDK ({@link java.util.Random}'s algorithms are part of its specification, which is why
 * it is used rather than {@code SplittableRandom}).
 *
 * <p>Guarantees, checked by the tests: every index {@code 0 .. labels.length-1} lands in exactly one shard,
 * in its training, validation or local test part (with {@code class-number}, in at most one: its equal shards leave
 * out what does not fit); every shard has at least one training sample, or
 * {@link #split} throws. The validation and test parts are stratified by class: each class contributes in
 * proportion to its share of the shard (largest-remainder rounding).
 */
public final class Partitioner {
    private Partitioner() {
    }

    /**
     * Splits samples with the given labels among {@code plan.peers()} peers.
     *
     * @param labels     class of each sample, in {@code [0, numClasses)}
     * @param numClasses number of classes of the data set (not only those present)
     * @return one shard per peer, in peer order
     * @throws IllegalArgumentException with a one-sentence reason if the plan does not fit the data
     */
    public static List<Shard> split(PartitionPlan plan, int[] labels, int numClasses) {
        PartitionSpec spec = plan.spec();
        spec.requireFits(plan.peers(), numClasses);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("Sample " + i + " has label " + labels[i] + ", outside the "
                        + numClasses + " classes 0.." + (numClasses - 1) + "; pass the data set's class count.");
            }
        }
        Random rng = new Random(plan.seed());
        int peers = plan.peers();
        int[][] assigned;
        if (spec instanceof PartitionSpec.Iid) {
            assigned = bySize(labels.length, equalWeights(peers), rng);
        } else if (spec instanceof PartitionSpec.PowerLaw p) {
            double[] w = new double[peers];
            for (int i = 0; i < peers; i++) {
                w[i] = Math.pow(i + 1, -p.beta());
            }
            assigned = bySize(labels.length, w, rng);
        } else if (spec instanceof PartitionSpec.Dirichlet d) {
            double[][] w = new double[numClasses][];
            for (int c = 0; c < numClasses; c++) {
                w[c] = DirichletSampler.sample(d.alpha(), peers, rng);
            }
            assigned = byClassWeights(labels, numClasses, w, rng);
        } else if (spec instanceof PartitionSpec.DirichletCapped d) {
            assigned = byCappedDirichlet(labels, numClasses, peers, d.alpha(), rng);
        } else if (spec instanceof PartitionSpec.Disjoint d) {
            int[][] groups = d.groups(peers, numClasses);
            double[][] w = new double[numClasses][peers];
            for (int p = 0; p < peers; p++) {
                for (int c = groups[p][0]; c < groups[p][1]; c++) {
                    w[c][p] = 1;
                }
            }
            assigned = byClassWeights(labels, numClasses, w, rng);
        } else if (spec instanceof PartitionSpec.ClassImbalance ci) {
            double f = ci.dominantFraction();
            double other = (1 - f) / (numClasses - 1);
            double[][] w = new double[numClasses][peers];
            for (int c = 0; c < numClasses; c++) {
                for (int p = 0; p < peers; p++) {
                    w[c][p] = p % numClasses == c ? f : other;
                }
            }
            assigned = byClassWeights(labels, numClasses, w, rng);
        } else if (spec instanceof PartitionSpec.ClassNumber) {
            assigned = byClassNumber(labels, numClasses, peers, rng);
        } else if (spec instanceof PartitionSpec.ByColumn b) {
            throw new IllegalArgumentException("The partition " + b + " divides a table by one of its columns; point --data at a "
                    + "CSV table that has a column " + b.column() + ".");
        } else {
            throw new AssertionError("unhandled partition spec " + spec);
        }
        List<Shard> shards = new ArrayList<>(peers);
        for (int p = 0; p < peers; p++) {
            if (assigned[p].length == 0) {
                throw new IllegalArgumentException("Peer " + p + " of " + peers + " got no training samples with "
                        + spec + "; use more data, fewer peers" + remedy(spec) + ".");
            }
            shards.add(withHoldouts(p, assigned[p], labels, numClasses, plan.validationFraction(), plan.testFraction(), rng));
        }
        return List.copyOf(shards);
    }

    private static String remedy(PartitionSpec spec) {
        if (spec instanceof PartitionSpec.Dirichlet || spec instanceof PartitionSpec.DirichletCapped) {
            return " or a larger α";
        }
        if (spec instanceof PartitionSpec.PowerLaw) {
            return " or a smaller β";
        }
        if (spec instanceof PartitionSpec.Disjoint) {
            return " or data that has every class";
        }
        return "";
    }

    /** How many times {@link #byCappedDirichlet} redraws before it gives up on the minimum shard. */
    private static final int CAPPED_ATTEMPTS = 1000;

    /**
     * The {@link PartitionSpec.DirichletCapped} shards: per class in order, Dir(α) proportions with every peer that
     * already holds N/n samples struck out; redrawn whole until each peer holds the minimum.
     */
    private static int[][] byCappedDirichlet(int[] labels, int numClasses, int peers, double alpha, Random rng) {
        int[][] members = byClass(labels, numClasses);
        double cap = labels.length / (double) peers;
        int least = PartitionSpec.DirichletCapped.minimumShard(labels.length, peers);
        int smallest = 0;
        for (int attempt = 0; attempt < CAPPED_ATTEMPTS; attempt++) {
            int[][] sizes = new int[numClasses][];
            int[] held = new int[peers];
            for (int c = 0; c < numClasses; c++) {
                // Dir(α) over the peers under the cap, which is what PFLlib's draw over all peers, the full ones zeroed
                // and the rest renormalised, amounts to (a Dirichlet's renormalised sub-vector is Dirichlet)
                int[] open = IntStream.range(0, peers).filter(p -> held[p] < cap).toArray();
                double[] drawn = DirichletSampler.sample(alpha, open.length, rng);
                double[] w = new double[peers];
                for (int k = 0; k < open.length; k++) {
                    w[open[k]] = drawn[k];
                }
                sizes[c] = apportion(members[c].length, w, c);
                for (int p = 0; p < peers; p++) {
                    held[p] += sizes[c][p];
                }
            }
            smallest = Arrays.stream(held).min().orElse(0);
            if (smallest >= least) {
                return deal(members, sizes, peers, rng);
            }
        }
        throw new IllegalArgumentException("dirichlet-capped:" + alpha + " left a peer with " + smallest + " samples, fewer than "
                + least + ", in each of " + CAPPED_ATTEMPTS + " draws; use more data, fewer peers or a larger α.");
    }

    /**
     * The class-number shards: the largest size s for which every class has the samples that equal shards of s need,
     * peer p's s samples split evenly over its {@link PartitionSpec.ClassNumber#classesOf} first classes (rounding
     * by largest remainder, its surplus starting at a class that rotates with the peer).
     */
    private static int[][] byClassNumber(int[] labels, int numClasses, int peers, Random rng) {
        int[][] members = byClass(labels, numClasses);
        double[] need = classNumberNeed(numClasses, peers);
        int size = Integer.MAX_VALUE;
        int scarcest = 0;
        for (int c = 0; c < numClasses; c++) {
            int bound = (int) Math.floor(members[c].length / need[c]) + 1; // every class is held: the last peer holds all
            if (bound < size) {
                size = bound;
                scarcest = c;
            }
        }
        int[][] quota = null;
        for (; size > 0; size--) { // rounding may need a sample or two fewer than the bound
            quota = classNumberQuotas(size, numClasses, peers);
            if (fits(quota, members)) {
                break;
            }
        }
        if (size == 0) {
            throw new IllegalArgumentException("class-number cannot give each of " + peers + " peers an equal shard: the data has "
                    + members[scarcest].length + " samples of class " + scarcest + "; use more data or fewer peers.");
        }
        int[][] sizes = new int[numClasses][peers];
        for (int p = 0; p < peers; p++) {
            for (int c = 0; c < numClasses; c++) {
                sizes[c][p] = quota[p][c];
            }
        }
        return deal(members, sizes, peers, rng);
    }

    /** Class c's samples per sample of a class-number shard, summed over the peers that hold c. */
    private static double[] classNumberNeed(int numClasses, int peers) {
        double[] need = new double[numClasses];
        for (int p = 0; p < peers; p++) {
            int k = PartitionSpec.ClassNumber.classesOf(p, peers, numClasses);
            for (int c = 0; c < k; c++) {
                need[c] += 1.0 / k;
            }
        }
        return need;
    }

    private static int[][] classNumberQuotas(int size, int numClasses, int peers) {
        int[][] quota = new int[peers][];
        for (int p = 0; p < peers; p++) {
            int k = PartitionSpec.ClassNumber.classesOf(p, peers, numClasses);
            double[] w = new double[numClasses];
            Arrays.fill(w, 0, k, 1);
            quota[p] = apportion(size, w, p);
        }
        return quota;
    }

    private static boolean fits(int[][] quota, int[][] members) {
        for (int c = 0; c < members.length; c++) {
            int sum = 0;
            for (int[] q : quota) {
                sum += q[c];
            }
            if (sum > members[c].length) {
                return false;
            }
        }
        return true;
    }

    private static double[] equalWeights(int n) {
        double[] w = new double[n];
        Arrays.fill(w, 1);
        return w;
    }

    /** Shuffles all indices and cuts them into consecutive pieces sized by {@code weights}. */
    private static int[][] bySize(int n, double[] weights, Random rng) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        shuffle(all, rng);
        int[] sizes = apportion(n, weights, 0);
        int[][] out = new int[weights.length][];
        int start = 0;
        for (int p = 0; p < weights.length; p++) {
            out[p] = Arrays.copyOfRange(all, start, start + sizes[p]);
            start += sizes[p];
        }
        return out;
    }

    /**
     * Shuffles each class's samples and deals them to peers in proportion to {@code weights[class][peer]},
     * rounding by largest remainder so that every sample is dealt exactly once.
     */
    private static int[][] byClassWeights(int[] labels, int numClasses, double[][] weights, Random rng) {
        int[][] members = byClass(labels, numClasses);
        int[][] sizes = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) {
            sizes[c] = apportion(members[c].length, weights[c], c);
        }
        return deal(members, sizes, weights[0].length, rng);
    }

    /**
     * Shuffles each class's samples and hands peer p the next {@code sizes[class][p]} of them, classes in order;
     * what is not handed out belongs to no peer.
     */
    private static int[][] deal(int[][] members, int[][] sizes, int peers, Random rng) {
        int[] fill = new int[peers];
        for (int[] perPeer : sizes) {
            for (int p = 0; p < peers; p++) {
                fill[p] += perPeer[p];
            }
        }
        int[][] out = new int[peers][];
        for (int p = 0; p < peers; p++) {
            out[p] = new int[fill[p]];
            fill[p] = 0;
        }
        for (int c = 0; c < members.length; c++) {
            int[] m = members[c];
            shuffle(m, rng);
            int start = 0;
            for (int p = 0; p < peers; p++) {
                System.arraycopy(m, start, out[p], fill[p], sizes[c][p]);
                fill[p] += sizes[c][p];
                start += sizes[c][p];
            }
        }
        return out;
    }

    /** Natural silos: the distinct values of the partition column, sorted, and peer i's shard for value i. */
    public record NaturalSilos(List<String> values, List<Shard> shards) {
        public NaturalSilos {
            values = List.copyOf(values);
            shards = List.copyOf(shards);
        }
    }

    /**
     * One peer per distinct value of {@code valueOf} (sample → its silo's name, e.g. a hospital id), peers in the
     * sorted order of the values ({@link java.util.TreeMap} order); every sample lands in exactly one peer, and each
     * shard keeps {@code validationFraction} of its samples for validation as the other partitioners do.
     *
     * @throws IllegalArgumentException when a sample has no value (null), or a silo would have no training sample
     */
    public static NaturalSilos natural(String column, String[] valueOf, int[] labels, int numClasses, long seed,
                                       double validationFraction, double testFraction) {
        if (valueOf.length != labels.length) {
            throw new IllegalArgumentException("Got " + valueOf.length + " silo values for " + labels.length + " samples.");
        }
        java.util.TreeMap<String, List<Integer>> bySilo = new java.util.TreeMap<>();
        for (int i = 0; i < valueOf.length; i++) {
            if (valueOf[i] == null) {
                throw new IllegalArgumentException("Training row " + (i + 1) + " has no value in the partition column " + column
                        + ", so it belongs to no peer; fill the column in or drop those rows.");
            }
            bySilo.computeIfAbsent(valueOf[i], k -> new ArrayList<>()).add(i);
        }
        Random rng = new Random(seed);
        List<Shard> shards = new ArrayList<>();
        int p = 0;
        for (var e : bySilo.entrySet()) {
            int[] idx = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            Shard s = withHoldouts(p, idx, labels, numClasses, validationFraction, testFraction, rng);
            if (s.train().length == 0) {
                throw new IllegalArgumentException("The silo " + column + "=" + e.getKey() + " has too few rows (" + idx.length
                        + ") to train on; merge it into another value or drop its rows.");
            }
            shards.add(s);
            p++;
        }
        return new NaturalSilos(new ArrayList<>(bySilo.keySet()), shards);
    }

    /**
     * The shard of {@code indices}: first the stratified validation split, then, only when {@code testFraction > 0}
     * (so that a plan without one draws exactly what it drew before), a stratified local test split of the same
     * share of the whole shard cut from what is left, keeping at least one training sample.
     */
    private static Shard withHoldouts(int peer, int[] indices, int[] labels, int numClasses, double validationFraction,
                                      double testFraction, Random rng) {
        int[][] v = stratifiedCut(peer, indices, labels, numClasses, validationFraction, indices.length, rng);
        int[][] t = testFraction > 0 ? stratifiedCut(peer, v[0], labels, numClasses, testFraction, indices.length, rng)
                : new int[][] {v[0], new int[0]};
        int[] present = Arrays.stream(indices).map(i -> labels[i]).distinct().sorted().toArray();
        return new Shard(peer, t[0], v[1], t[1], present, indices.length);
    }

    /**
     * A stratified, seeded sample of {@code n} of the samples (each class in proportion to its share), as sorted
     * indices: to federate a smaller data set cut from a larger one, e.g. the fairness experiments' 6,000 samples.
     *
     * @throws IllegalArgumentException when {@code n} is not between 1 and the number of samples
     */
    public static int[] stratifiedSample(int[] labels, int numClasses, int n, long seed) {
        if (n < 1 || n > labels.length) {
            throw new IllegalArgumentException("Cannot sample " + n + " of " + labels.length + " training samples; give a number from 1 to "
                    + labels.length + ".");
        }
        int[] all = new int[labels.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return n == labels.length ? all : stratifiedCut(0, all, labels, numClasses, n / (double) labels.length, labels.length, new Random(seed))[1];
    }

    /**
     * A seeded sample of {@code n} of the samples, as sorted indices, whose class mix suits {@code spec} with {@code peers}
     * peers: for {@code class-number}, each class in proportion to what its equal shards need of it (so that all
     * {@code n} fit, where a stratified sample would leave most of them out), as far as the class has samples; for every
     * other spec the {@link #stratifiedSample}.
     *
     * @throws IllegalArgumentException when {@code n} is not between 1 and the number of samples
     */
    public static int[] sampleFor(PartitionSpec spec, int peers, int[] labels, int numClasses, int n, long seed) {
        if (!(spec instanceof PartitionSpec.ClassNumber)) {
            return stratifiedSample(labels, numClasses, n, seed);
        }
        if (n < 1 || n > labels.length) {
            throw new IllegalArgumentException("Cannot sample " + n + " of " + labels.length + " training samples; give a number from 1 to "
                    + labels.length + ".");
        }
        int[][] members = byClass(labels, numClasses);
        int[] quota = apportion(n, classNumberNeed(numClasses, peers), 0);
        Random rng = new Random(seed);
        int[] cut = new int[n];
        int k = 0;
        for (int c = 0; c < numClasses; c++) {
            int take = Math.min(quota[c], members[c].length);
            shuffle(members[c], rng);
            System.arraycopy(members[c], 0, cut, k, take);
            k += take;
        }
        int[] out = Arrays.copyOf(cut, k);
        Arrays.sort(out);
        return out;
    }

    /**
     * Splits {@code indices} into {@code {rest, cut}}, sorted: the cut holds {@code fraction · of} samples (at least one
     * when the fraction is positive and there are two samples), each class in proportion to its share, and the rest
     * keeps at least one.
     */
    private static int[][] stratifiedCut(int peer, int[] indices, int[] labels, int numClasses, double fraction, int of,
                                         Random rng) {
        int size = indices.length;
        int v = (int) Math.round(fraction * of);
        if (fraction > 0 && size >= 2) {
            v = Math.max(v, 1);
        }
        v = Math.max(0, Math.min(v, size - 1));
        int[] sorted = indices.clone();
        Arrays.sort(sorted);
        int[][] members = byClass(sorted, labels, numClasses);
        double[] weights = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            weights[c] = members[c].length;
        }
        int[] quota = apportion(v, weights, peer);
        int[] rest = new int[size - v];
        int[] cut = new int[v];
        int r = 0;
        int k = 0;
        for (int c = 0; c < numClasses; c++) {
            int[] m = members[c];
            shuffle(m, rng);
            System.arraycopy(m, 0, cut, k, quota[c]);
            System.arraycopy(m, quota[c], rest, r, m.length - quota[c]);
            k += quota[c];
            r += m.length - quota[c];
        }
        Arrays.sort(rest);
        Arrays.sort(cut);
        return new int[][] {rest, cut};
    }

    private static int[][] byClass(int[] labels, int numClasses) {
        int[] all = new int[labels.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return byClass(all, labels, numClasses);
    }

    /** The entries of {@code indices} grouped by their label, each group in the order of {@code indices}. */
    private static int[][] byClass(int[] indices, int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int i : indices) {
            counts[labels[i]]++;
        }
        int[][] out = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) {
            out[c] = new int[counts[c]];
            counts[c] = 0;
        }
        for (int i : indices) {
            int c = labels[i];
            out[c][counts[c]++] = i;
        }
        return out;
    }

    /**
     * Splits {@code total} into integer parts proportional to {@code weights} by largest remainder. Ties go
     * to the first index at or after {@code tieStart}, cyclically: callers rotate it (class c starts at c) so
     * that no peer collects the rounding surplus of every class. Parts with weight 0 get 0. All-zero weights with a positive total would leave items without
     * an owner, so they are a programming error.
     */
    static int[] apportion(int total, double[] weights, int tieStart) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        int[] parts = new int[weights.length];
        if (total == 0) {
            return parts;
        }
        if (!(sum > 0)) {
            throw new IllegalStateException("apportion needs a positive weight to place " + total + " items");
        }
        double[] remainder = new double[weights.length];
        int given = 0;
        for (int i = 0; i < weights.length; i++) {
            double exact = total * (weights[i] / sum);
            parts[i] = (int) Math.floor(exact);
            remainder[i] = weights[i] > 0 ? exact - parts[i] : -1;
            given += parts[i];
        }
        while (given < total) {
            int n = weights.length;
            int best = Math.floorMod(tieStart, n);
            for (int k = 1; k < n; k++) {
                int i = (tieStart + k) % n;
                if (remainder[i] > remainder[best]) {
                    best = i;
                }
            }
            parts[best]++;
            remainder[best] = -1;
            given++;
        }
        return parts;
    }

    /** Fisher-Yates with {@link Random#nextInt(int)}, whose output is fixed by its specification. */
    private static void shuffle(int[] a, Random rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}
