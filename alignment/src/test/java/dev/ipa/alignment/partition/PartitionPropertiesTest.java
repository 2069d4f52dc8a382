package dev.ipa.alignment.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class PartitionPropertiesTest {
    /** Labels of 1..10 classes, each class present at least once. */
    record Data(int[] labels, int numClasses) {
    }

    @Provide
    Arbitrary<Data> data() {
        return Arbitraries.integers().between(1, 10).flatMap(k -> Arbitraries.integers().between(0, k - 1)
                .array(int[].class).ofMinSize(0).ofMaxSize(400)
                .map(rest -> {
                    int[] labels = new int[k + rest.length];
                    for (int c = 0; c < k; c++) {
                        labels[c] = c;
                    }
                    System.arraycopy(rest, 0, labels, k, rest.length);
                    return new Data(labels, k);
                }));
    }

    @Provide
    Arbitrary<String> specs() {
        return Arbitraries.of("iid", "dirichlet:0.05", "dirichlet:1", "dirichlet:50", "disjoint", "power-law:0.5",
                "power-law:3", "class-imbalance:0.5", "class-imbalance:0.95");
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 0.5);
    }

    /**
     * Either every sample lands in exactly one shard and every shard trains on something, or the partition
     * is refused up-front with a one-sentence reason; never a silent loss or duplicate.
     */
    @Property(tries = 300)
    void everySampleLandsInExactlyOneShardOrThePlanIsRefused(@ForAll("data") Data data, @ForAll("specs") String spec,
            @ForAll @IntRange(min = 1, max = 8) int peers, @ForAll long seed, @ForAll("fractions") double fraction) {
        PartitionPlan plan = new PartitionPlan(PartitionSpec.parse(spec), peers, seed, fraction);

        Throwable refused = catchThrowable(() -> check(plan.split(data.labels(), data.numClasses()), data, peers));

        if (refused != null) {
            assertThat(refused).isInstanceOf(IllegalArgumentException.class);
            assertThat(refused.getMessage()).containsAnyOf("got no training samples", "cannot give",
                    "at least 2 classes").endsWith(".");
        }
    }

    /**
     * class-number's equal shards: no sample twice, every shard the same size, each of its first classes in equal
     * parts (to one sample), and not one more sample a shard would fit: some class has too few left for it.
     */
    @Property(tries = 200)
    void classNumberShardsAreEqualAndAsLargeAsTheDataAllows(@ForAll("data") Data data,
            @ForAll @IntRange(min = 1, max = 8) int peers, @ForAll long seed) {
        PartitionPlan plan = new PartitionPlan(new PartitionSpec.ClassNumber(), peers, seed, 0);
        List<Shard> shards;
        try {
            shards = plan.split(data.labels(), data.numClasses());
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).startsWith("class-number cannot give each of").endsWith(".");
            return;
        }
        assertThat(Shards.occurrences(shards, data.labels().length)).containsAnyOf(0, 1).doesNotContain(2, 3);
        int size = shards.get(0).size();
        int[] used = new int[data.numClasses()];
        for (Shard s : shards) {
            assertThat(s.size()).isEqualTo(size);
            int k = PartitionSpec.ClassNumber.classesOf(s.peer(), peers, data.numClasses());
            int[] counts = Shards.classCounts(s, data.labels(), data.numClasses());
            for (int c = 0; c < data.numClasses(); c++) {
                used[c] += counts[c];
                if (c < k) {
                    assertThat(counts[c]).isBetween(size / k, size / k + 1);
                } else {
                    assertThat(counts[c]).isZero();
                }
            }
        }
        int[] available = new int[data.numClasses()];
        for (int label : data.labels()) {
            available[label]++;
        }
        boolean oneMoreFits = true;
        for (int c = 0; c < data.numClasses(); c++) {
            double need = 0;
            for (int p = 0; p < peers; p++) {
                int k = PartitionSpec.ClassNumber.classesOf(p, peers, data.numClasses());
                need += c < k ? Math.ceil((size + 1) / (double) k) : 0;
            }
            oneMoreFits &= available[c] >= need;
        }
        assertThat(oneMoreFits).as("shards of %d + 1 would also fit", size).isFalse();
    }

    /** The same invariant where the plan must succeed: iid with at least as many samples as peers. */
    @Property(tries = 200)
    void iidAlwaysCoversEverySample(@ForAll("data") Data data, @ForAll @IntRange(min = 1, max = 8) int peers,
            @ForAll long seed, @ForAll("fractions") double fraction) {
        if (data.labels().length < peers) {
            return;
        }
        PartitionPlan plan = new PartitionPlan(new PartitionSpec.Iid(), peers, seed, fraction);

        check(plan.split(data.labels(), data.numClasses()), data, peers);
    }

    private static void check(List<Shard> shards, Data data, int peers) {
        assertThat(shards).hasSize(peers);
        assertThat(Shards.occurrences(shards, data.labels().length)).containsOnly(1);
        for (Shard s : shards) {
            assertThat(s.train()).isNotEmpty();
            int[] counts = Shards.classCounts(s, data.labels(), data.numClasses());
            assertThat(s.classes()).containsExactly(java.util.stream.IntStream.range(0, data.numClasses())
                    .filter(c -> counts[c] > 0).toArray());
        }
    }
}
