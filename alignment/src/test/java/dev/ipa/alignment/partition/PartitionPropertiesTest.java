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
