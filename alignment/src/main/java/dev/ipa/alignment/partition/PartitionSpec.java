package dev.ipa.alignment.partition;

import java.util.List;
import java.util.Locale;

/**
 * How a data set is divided among peers, parsed from the text a user types ({@code --partition}). The
 * {@link #toString()} of every spec is the text that parses back to it.
 *
 * <table>
 *   <caption>Partition specs</caption>
 *   <tr><th>Text</th><th>Meaning</th></tr>
 *   <tr><td>{@code iid}</td><td>shuffled, equal-sized shards</td></tr>
 *   <tr><td>{@code dirichlet:α}</td><td>each class's samples divided among peers in proportions drawn from
 *       Dir(α); small α gives skewed shards</td></tr>
 *   <tr><td>{@code dirichlet-capped:α}</td><td>NIID-Bench's and PFLlib's variant: classes dealt in order, a peer that
 *       already holds N/n samples gets no share of later classes, redrawn until every peer holds a minimum</td></tr>
 *   <tr><td>{@code disjoint}</td><td>each peer gets a contiguous group of whole classes, groups near-equal
 *       (first groups larger): 2 peers {0–4 | 5–9}, 3 peers {0–3 | 4–6 | 7–9}</td></tr>
 *   <tr><td>{@code disjoint:9/1}</td><td>explicit group sizes: peer 0 the first 9 classes, peer 1 the rest</td></tr>
 *   <tr><td>{@code power-law[:β]}</td><td>iid content, shard sizes ∝ (i+1)^-β, β ≥ 0, default 1</td></tr>
 *   <tr><td>{@code class-imbalance[:f]}</td><td>peer i dominated by class i mod K, f in (0, 1), default 0.8</td></tr>
 *   <tr><td>{@code class-number}</td><td>the CFFL and IPA papers' class imbalance: equal-sized shards, peer i holds the
 *       first c<sub>i</sub> classes, c = ⌊linspace(1, K, n)⌋ (5 peers of 10 classes: 1, 3, 5, 7, 10)</td></tr>
 * </table>
 *
 * <p>Specs are immutable values. {@link #requireFits(int, int)} checks what can be checked before the data
 * is seen; {@link Partitioner#split} checks the rest.
 */
public sealed interface PartitionSpec {
    /** The forms {@link #parse} accepts, for error messages. */
    String VALID = "iid, dirichlet:α (α > 0), dirichlet-capped:α, disjoint, disjoint:A/B/..., power-law[:β], class-imbalance[:f], class-number, by:COLUMN (tables)";

    /**
     * Throws {@link IllegalArgumentException} with a one-sentence reason if this spec cannot divide
     * {@code numClasses} classes among {@code peers} peers.
     */
    default void requireFits(int peers, int numClasses) {
        if (peers < 1) {
            throw new IllegalArgumentException("A partition needs at least 1 peer, but " + peers + " were given.");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("A partition needs at least 1 class, but " + numClasses
                    + " were given.");
        }
    }

    /**
     * Natural silos, as Flower's {@code NaturalIdPartitioner}: one peer per distinct value of a table column (a
     * hospital id, a region), peers in the sorted order of the values. The column is then not a feature. Rows
     * whose value is missing form no peer and are refused. Needs a table; see {@link Partitioner#natural}.
     */
    record ByColumn(String column) implements PartitionSpec {
        public ByColumn {
            if (column == null || column.isBlank()) {
                throw new IllegalArgumentException("by: needs a column name, e.g. by:hospital.");
            }
        }

        @Override
        public String toString() {
            return "by:" + column;
        }
    }

    /** Shuffled, equal-sized shards (sizes differ by at most one). */
    record Iid() implements PartitionSpec {
        @Override
        public String toString() {
            return "iid";
        }
    }

    /**
     * For every class, proportions over peers are drawn from a symmetric Dirichlet(α) and the class's samples
     * are dealt accordingly, as in Wang et al., "Federated Learning with Matched Averaging" (ICLR 2020).
     */
    record Dirichlet(double alpha) implements PartitionSpec {
        public Dirichlet {
            if (!(alpha > 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("dirichlet needs a finite α > 0, but got " + alpha
                        + "; write e.g. dirichlet:0.5.");
            }
        }

        @Override
        public String toString() {
            return "dirichlet:" + number(alpha);
        }
    }

    /**
     * The Dirichlet split of NIID-Bench (Li et al., "Federated Learning on Non-IID Data Silos: An Experimental Study",
     * ICDE 2022) and PFLlib's {@code separate_data(partition='dir')}, whose leaderboards use it: classes are dealt in
     * order, each in proportions drawn from Dir(α), except that a peer already holding N/n of the N samples gets no
     * share of the later classes; the whole draw is repeated until every peer holds at least
     * {@link #minimumShard(int, int)}. The cap keeps shard sizes near N/n and, at small α, the large shards to few classes.
     */
    record DirichletCapped(double alpha) implements PartitionSpec {
        /** PFLlib's least samples per client: its batch of 10 over its 25% test split. */
        public static final int MINIMUM_SHARD = 40;

        public DirichletCapped {
            if (!(alpha > 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("dirichlet-capped needs a finite α > 0, but got " + alpha
                        + "; write e.g. dirichlet-capped:0.1.");
            }
        }

        /** The fewest samples a peer may hold: {@value #MINIMUM_SHARD}, or half an equal shard when that is fewer. */
        public static int minimumShard(int samples, int peers) {
            return Math.max(1, Math.min(MINIMUM_SHARD, samples / peers / 2));
        }

        @Override
        public String toString() {
            return "dirichlet-capped:" + number(alpha);
        }
    }

    /**
     * Whole classes per peer, in contiguous groups: the non-iid setting of the IPA paper. An empty
     * {@code groupSizes} means near-equal groups with the larger ones first; otherwise peer i gets the next
     * {@code groupSizes.get(i)} classes.
     */
    record Disjoint(List<Integer> groupSizes) implements PartitionSpec {
        public Disjoint {
            groupSizes = List.copyOf(groupSizes);
            for (int g : groupSizes) {
                if (g < 1) {
                    throw new IllegalArgumentException("Every group of disjoint:" + join(groupSizes)
                            + " needs at least 1 class, but one has " + g + ".");
                }
            }
        }

        /** Class groups, peer by peer: {@code [first class, end class)}. */
        public int[][] groups(int peers, int numClasses) {
            requireFits(peers, numClasses);
            int[][] out = new int[peers][];
            int start = 0;
            for (int p = 0; p < peers; p++) {
                int size = groupSizes.isEmpty() ? numClasses / peers + (p < numClasses % peers ? 1 : 0)
                        : groupSizes.get(p);
                out[p] = new int[] {start, start + size};
                start += size;
            }
            return out;
        }

        @Override
        public void requireFits(int peers, int numClasses) {
            PartitionSpec.super.requireFits(peers, numClasses);
            if (groupSizes.isEmpty()) {
                if (peers > numClasses) {
                    throw new IllegalArgumentException("disjoint cannot give " + peers + " peers whole classes of "
                            + "their own when there are only " + numClasses + " classes; use at most "
                            + numClasses + " peers or another partition.");
                }
                return;
            }
            if (groupSizes.size() != peers) {
                throw new IllegalArgumentException(this + " names " + groupSizes.size() + " class groups but there are "
                        + peers + " peers; give one group size per peer.");
            }
            int sum = groupSizes.stream().mapToInt(Integer::intValue).sum();
            if (sum != numClasses) {
                throw new IllegalArgumentException(this + " covers " + sum + " classes but the data has "
                        + numClasses + "; make the group sizes add up to " + numClasses + ".");
            }
        }

        @Override
        public String toString() {
            return groupSizes.isEmpty() ? "disjoint" : "disjoint:" + join(groupSizes);
        }

        private static String join(List<Integer> sizes) {
            return String.join("/", sizes.stream().map(String::valueOf).toList());
        }
    }

    /** Iid content, shard sizes proportional to {@code (i+1)^-β}; β = 0 gives equal sizes. */
    record PowerLaw(double beta) implements PartitionSpec {
        public static final double DEFAULT_BETA = 1.0;

        public PowerLaw {
            if (!(beta >= 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("power-law needs a finite β ≥ 0, but got " + beta
                        + "; write e.g. power-law:1.5.");
            }
        }

        @Override
        public String toString() {
            return "power-law:" + number(beta);
        }
    }

    /**
     * Peer i's dominant class is {@code i mod K}. Each class is dealt among peers with weight {@code f} for a
     * peer it dominates and {@code (1-f)/(K-1)} for every other peer. With as many peers as classes and
     * balanced classes, a fraction {@code f} of every shard is its dominant class and the rest is spread
     * evenly; with fewer peers, classes nobody dominates are spread evenly and dilute that fraction.
     */
    record ClassImbalance(double dominantFraction) implements PartitionSpec {
        public static final double DEFAULT_FRACTION = 0.8;

        public ClassImbalance {
            if (!(dominantFraction > 0 && dominantFraction < 1)) {
                throw new IllegalArgumentException("class-imbalance needs a dominant fraction strictly between 0 "
                        + "and 1, but got " + dominantFraction + "; write e.g. class-imbalance:0.8.");
            }
        }

        @Override
        public void requireFits(int peers, int numClasses) {
            PartitionSpec.super.requireFits(peers, numClasses);
            if (numClasses < 2) {
                throw new IllegalArgumentException("class-imbalance needs at least 2 classes so that one can "
                        + "dominate, but the data has " + numClasses + ".");
            }
        }

        @Override
        public String toString() {
            return "class-imbalance:" + number(dominantFraction);
        }
    }

    /**
     * The class-number imbalance of the CFFL and IPA papers' fairness experiments (CFFL's {@code classimbalance}
     * split): every shard holds the same number of samples, and peer i holds only the first {@link #classesOf}
     * classes, in equal parts. Peers differ in what they bring by how many classes they have seen, so the
     * standalone accuracies spread from one class's worth to nearly the whole task. The classes are nested and
     * fixed, as in CFFL, so every seed gives the same class sets and different samples. Equal shards cannot use
     * every sample (peer 0's one class is in every shard): {@link Partitioner#split} deals the largest equal
     * shards the data allows and leaves the rest out, and {@link Partitioner#sampleFor} draws a sample whose
     * class mix fits them.
     */
    record ClassNumber() implements PartitionSpec {
        /** How many classes peer {@code peer} of {@code peers} holds: ⌊1 + peer·(K−1)/(peers−1)⌋, NumPy's linspace. */
        public static int classesOf(int peer, int peers, int numClasses) {
            if (peers == 1 || peer == peers - 1) {
                return numClasses;
            }
            return (int) (1 + peer * (numClasses - 1) / (double) (peers - 1));
        }

        @Override
        public String toString() {
            return "class-number";
        }
    }

    /**
     * Parses a spec such as {@code iid}, {@code dirichlet:0.1}, {@code disjoint}, {@code disjoint:9/1},
     * {@code power-law}, {@code power-law:2}, {@code class-imbalance}, {@code class-imbalance:0.9} or
     * {@code class-number}. Case
     * and surrounding blanks are ignored.
     *
     * @throws IllegalArgumentException with a one-sentence reason naming the valid forms
     */
    static PartitionSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("The partition is empty; use one of " + VALID + ".");
        }
        if (text.strip().toLowerCase(Locale.ROOT).startsWith("by:")) {
            return new ByColumn(text.strip().substring(3).strip()); // a column name keeps its case
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        int colon = t.indexOf(':');
        String kind = colon < 0 ? t : t.substring(0, colon).strip();
        String arg = colon < 0 ? null : t.substring(colon + 1).strip();
        switch (kind) {
            case "iid":
                noArgument(text, arg);
                return new Iid();
            case "dirichlet", "dirichlet-capped":
                if (arg == null) {
                    throw new IllegalArgumentException(kind + " needs a concentration α, e.g. " + kind + ":0.1, "
                            + "but '" + text + "' has none.");
                }
                double alpha = parseNumber(text, arg, "α");
                return kind.equals("dirichlet") ? new Dirichlet(alpha) : new DirichletCapped(alpha);
            case "disjoint":
                if (arg == null) {
                    return new Disjoint(List.of());
                }
                String[] parts = arg.split("/", -1);
                Integer[] sizes = new Integer[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    try {
                        sizes[i] = Integer.parseInt(parts[i].strip());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("'" + text + "' should list class counts per peer "
                                + "separated by '/', e.g. disjoint:9/1, but '" + parts[i] + "' is not a whole "
                                + "number.");
                    }
                }
                return new Disjoint(List.of(sizes));
            case "power-law":
                return new PowerLaw(arg == null ? PowerLaw.DEFAULT_BETA : parseNumber(text, arg, "β"));
            case "class-imbalance":
                return new ClassImbalance(arg == null ? ClassImbalance.DEFAULT_FRACTION
                        : parseNumber(text, arg, "dominant fraction"));
            case "class-number":
                if (arg != null) {
                    throw new IllegalArgumentException("'" + text + "' takes no parameter; write just class-number.");
                }
                return new ClassNumber();
            default:
                throw new IllegalArgumentException("Unknown partition '" + text + "'; use one of " + VALID + ".");
        }
    }

    private static void noArgument(String text, String arg) {
        if (arg != null) {
            throw new IllegalArgumentException("'" + text + "' takes no parameter; write just iid.");
        }
    }

    private static double parseNumber(String text, String arg, String what) {
        try {
            double v = Double.parseDouble(arg);
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below, with the spec text
        }
        throw new IllegalArgumentException("The " + what + " in '" + text + "' should be a finite number, but '"
                + arg + "' is not.");
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
