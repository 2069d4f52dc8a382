package dev.ipa.alignment.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionerTest {
    private static final int[] LABELS = Shards.balancedLabels(10, 100);

    private static List<Shard> split(String spec, int peers, long seed) {
        return PartitionPlan.of(spec, peers, seed).split(LABELS, 10);
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"iid", "dirichlet:0.5", "dirichlet-capped:0.5", "disjoint", "power-law", "class-imbalance"})
    void everySampleLandsInExactlyOneShard(String spec) {
        List<Shard> shards = split(spec, 5, 7);

        assertThat(shards).extracting(Shard::peer).containsExactly(0, 1, 2, 3, 4);
        assertThat(Shards.occurrences(shards, LABELS.length)).containsOnly(1);
        for (Shard s : shards) {
            assertThat(s.size()).isEqualTo(s.train().length + s.validation().length);
            assertThat(s.train()).isNotEmpty().isSorted();
            assertThat(s.validation()).isSorted();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iid", "dirichlet:0.3", "dirichlet-capped:0.3", "disjoint", "power-law:2", "class-imbalance:0.6"})
    void theSameSeedGivesTheSameShardsAndAnotherSeedDoesNot(String spec) {
        assertThat(split(spec, 5, 42)).isEqualTo(split(spec, 5, 42));
        assertThat(split(spec, 5, 42)).isNotEqualTo(split(spec, 5, 43));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "disjoint      | 2 | 0-5,5-10",
        "disjoint      | 3 | 0-4,4-7,7-10",
        "disjoint      | 5 | 0-2,2-4,4-6,6-8,8-10",
        "disjoint:9/1  | 2 | 0-9,9-10",
        "disjoint:8/2  | 2 | 0-8,8-10",
        "disjoint:7/3  | 2 | 0-7,7-10",
    })
    void disjointClassGroupsMatchTheIpaPaper(String spec, int peers, String groups) {
        List<Shard> shards = split(spec, peers, 1);

        String[] expected = groups.split(",");
        assertThat(shards).hasSize(expected.length);
        for (int p = 0; p < peers; p++) {
            String[] bounds = expected[p].split("-");
            int from = Integer.parseInt(bounds[0]);
            int to = Integer.parseInt(bounds[1]);
            Shard s = shards.get(p);
            assertThat(s.classes()).as("classes of peer %d", p).containsExactly(range(from, to));
            // whole classes: all 100 samples of each
            assertThat(s.size()).isEqualTo(100 * (to - from));
        }
    }

    @Test
    void disjointWithMorePeersThanClassesFails() {
        assertThatThrownBy(() -> split("disjoint", 11, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("disjoint cannot give 11 peers");
    }

    @Test
    void dirichletSkewGrowsAsAlphaShrinks() {
        int[] labels = Shards.balancedLabels(10, 600);
        double previous = 0;
        for (double alpha : new double[] {100, 1, 0.1}) {
            double skew = 0;
            for (long seed = 0; seed < 5; seed++) {
                skew += meanDominantShare(new PartitionPlan(new PartitionSpec.Dirichlet(alpha), 10, seed)
                        .split(labels, 10), labels);
            }
            skew /= 5;
            assertThat(skew).as("mean share of each shard's largest class at α=%s", alpha)
                    .isGreaterThan(previous + 0.1);
            previous = skew;
        }
        // α = 100 is nearly iid (largest class a little above 1/10), α = 0.1 nearly one class per shard
        assertThat(previous).isGreaterThan(0.5);
    }

    private static double meanDominantShare(List<Shard> shards, int[] labels) {
        double sum = 0;
        for (Shard s : shards) {
            int[] counts = Shards.classCounts(s, labels, 10);
            sum += (double) Arrays.stream(counts).max().orElseThrow() / s.size();
        }
        return sum / shards.size();
    }

    @Test
    void dirichletHandlesTinyAlphaWithoutLosingSamples() {
        int[] labels = Shards.balancedLabels(10, 600);

        List<Shard> shards = new PartitionPlan(new PartitionSpec.Dirichlet(0.01), 2, 3).split(labels, 10);

        assertThat(Shards.occurrences(shards, labels.length)).containsOnly(1);
    }

    @Test
    void cappedDirichletGivesNoLaterClassToAFullPeerAndKeepsTheMinimum() {
        int[] labels = Shards.balancedLabels(10, 6000);
        double cap = labels.length / 20.0;
        int largestCapped = 0;
        int largestPlain = 0;
        for (long seed = 0; seed < 3; seed++) {
            List<Shard> shards = new PartitionPlan(new PartitionSpec.DirichletCapped(0.1), 20, seed).split(labels, 10);
            assertThat(Shards.occurrences(shards, labels.length)).containsOnly(1);
            for (Shard s : shards) {
                int[] counts = Shards.classCounts(s, labels, 10);
                int last = 9;
                while (counts[last] == 0) {
                    last--;
                }
                int beforeLast = Arrays.stream(counts, 0, last).sum();
                assertThat(beforeLast).as("peer %d held %d samples before its last class %d", s.peer(), beforeLast, last)
                        .isLessThan((int) Math.ceil(cap));
                assertThat(s.size()).isGreaterThanOrEqualTo(PartitionSpec.DirichletCapped.MINIMUM_SHARD);
                largestCapped = Math.max(largestCapped, s.size());
            }
            for (Shard s : new PartitionPlan(new PartitionSpec.Dirichlet(0.1), 20, seed).split(labels, 10)) {
                largestPlain = Math.max(largestPlain, s.size());
            }
        }
        assertThat(largestCapped).isLessThan(largestPlain);
    }

    @Test
    void cappedDirichletThatCannotReachTheMinimumSaysSo() {
        int[] labels = Shards.balancedLabels(2, 200);
        assertThatThrownBy(() -> new PartitionPlan(new PartitionSpec.DirichletCapped(0.001), 5, 1).split(labels, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fewer than 40")
                .hasMessageContaining("larger α");
    }

    @Test
    void anEmptyShardIsReportedWithARemedy() {
        // With α = 0.001 each class goes almost whole to one peer: 2 classes cannot feed 5 peers.
        int[] labels = Shards.balancedLabels(2, 50);

        assertThatThrownBy(() -> new PartitionPlan(new PartitionSpec.Dirichlet(0.001), 5, 1).split(labels, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("Peer [0-4] of 5 got no training samples with dirichlet:0.001; "
                        + "use more data, fewer peers or a larger α\\.");
        assertThatThrownBy(() -> PartitionPlan.of("iid", 4, 1).split(new int[] {0, 1, 0}, 2))
                .hasMessage("Peer 3 of 4 got no training samples with iid; use more data, fewer peers.");
    }

    @Test
    void iidShardsAreEqualSizedAndMixed() {
        List<Shard> shards = split("iid", 3, 5);

        assertThat(shards).extracting(Shard::size).containsExactly(334, 333, 333);
        for (Shard s : shards) {
            assertThat(s.classes()).containsExactly(range(0, 10));
        }
    }

    @Test
    void powerLawSizesFollowTheExponent() {
        // weights 1, 1/2, 1/3, 1/4 sum to 25/12: 1000 samples give 480, 240, 160, 120
        List<Shard> shards = split("power-law:1", 4, 9);

        assertThat(shards).extracting(Shard::size).containsExactly(480, 240, 160, 120);
        assertThat(split("power-law:0", 4, 9)).extracting(Shard::size).containsOnly(250);
    }

    @Test
    void classImbalanceGivesEachPeerItsDominantClass() {
        List<Shard> shards = split("class-imbalance:0.8", 10, 11);

        for (Shard s : shards) {
            int[] counts = Shards.classCounts(s, LABELS, 10);
            assertThat((double) counts[s.peer()] / s.size()).as("peer %d", s.peer()).isBetween(0.79, 0.81);
            assertThat(s.classes()).hasSize(10);
        }
    }

    @Test
    void classNumberGivesEqualShardsOfTheFirstClassesAsCffl() {
        int[] labels = Shards.balancedLabels(10, 600);
        List<Shard> shards = PartitionPlan.of("class-number", 5, 3).split(labels, 10);

        int[] classes = {1, 3, 5, 7, 10};
        int size = shards.get(0).size();
        for (Shard s : shards) {
            int k = classes[s.peer()];
            assertThat(s.classes()).as("peer %d", s.peer()).containsExactly(range(0, k));
            assertThat(s.size()).as("peer %d", s.peer()).isEqualTo(size);
            int[] counts = Shards.classCounts(s, labels, 10);
            for (int c = 0; c < k; c++) {
                assertThat(counts[c]).as("peer %d class %d", s.peer(), c).isBetween(size / k, size / k + 1);
            }
        }
        // class 0 is in every shard and bounds the size: 600 / (1 + 1/3 + 1/5 + 1/7 + 1/10) = 337.8, 338 by rounding down
        assertThat(size).isEqualTo(338);
        assertThat(Shards.occurrences(shards, labels.length)).containsOnly(0, 1);
    }

    @Test
    void aClassNumberSampleFitsItsEqualShardsAndAStratifiedOneDoesNot() {
        int[] labels = Shards.balancedLabels(10, 1500);
        PartitionSpec spec = PartitionSpec.parse("class-number");
        int[] sample = Partitioner.sampleFor(spec, 5, labels, 10, 3000, 7);
        assertThat(sample).hasSize(3000).isSorted().doesNotHaveDuplicates()
                .isEqualTo(Partitioner.sampleFor(spec, 5, labels, 10, 3000, 7));
        int[] sampled = Arrays.stream(sample).map(i -> labels[i]).toArray();

        List<Shard> shards = new PartitionPlan(spec, 5, 7).split(sampled, 10);

        assertThat(shards).allSatisfy(s -> assertThat(s.size()).isBetween(595, 600)); // CFFL's 600 a peer, to rounding
        int[] stratifiedLabels = Arrays.stream(Partitioner.stratifiedSample(labels, 10, 3000, 7)).map(i -> labels[i]).toArray();
        // a stratified 3,000 holds 300 of class 0: shards of 169, and 845 of the 3,000 used
        assertThat(new PartitionPlan(spec, 5, 7).split(stratifiedLabels, 10).get(0).size()).isEqualTo(169);
        int[] stratified = Partitioner.sampleFor(new PartitionSpec.Iid(), 5, labels, 10, 3000, 7);
        assertThat(stratified).isEqualTo(Partitioner.stratifiedSample(labels, 10, 3000, 7));
    }

    @Test
    void classNumberRefusesDataWithTooFewSamplesForEqualShards() {
        assertThatThrownBy(() -> PartitionPlan.of("class-number", 4, 1).split(new int[] {0, 1, 1, 1, 1, 1}, 2))
                .hasMessage("class-number cannot give each of 4 peers an equal shard: the data has 1 samples of class 0; "
                        + "use more data or fewer peers.");
    }

    @Test
    void validationIsTheRequestedFractionAndStratified() {
        List<Shard> shards = new PartitionPlan(new PartitionSpec.Iid(), 2, 4, 0.2).split(LABELS, 10);

        for (Shard s : shards) {
            assertThat(s.validation()).hasSize(100);
            int[] perClass = new int[10];
            for (int i : s.validation()) {
                perClass[LABELS[i]]++;
            }
            int[] shardCounts = Shards.classCounts(s, LABELS, 10);
            for (int c = 0; c < 10; c++) {
                assertThat(perClass[c]).as("class %d", c).isBetween(shardCounts[c] / 5 - 1, shardCounts[c] / 5 + 1);
            }
        }
        assertThat(new PartitionPlan(new PartitionSpec.Iid(), 2, 4, 0).split(LABELS, 10))
                .allSatisfy(s -> assertThat(s.validation()).isEmpty());
    }

    @Test
    void theLocalTestSplitIsDisjointStratifiedAndLeavesTheRestUntouchedWhenOff() {
        List<Shard> without = new PartitionPlan(new PartitionSpec.Dirichlet(0.5), 4, 9, 0.1).split(LABELS, 10);
        List<Shard> with = new PartitionPlan(new PartitionSpec.Dirichlet(0.5), 4, 9, 0.1, 0.2).split(LABELS, 10);
        boolean[] seen = new boolean[LABELS.length];
        for (int p = 0; p < 4; p++) {
            Shard s = with.get(p);
            Shard before = without.get(p);
            assertThat(s.size()).isEqualTo(before.size());
            assertThat(s.test()).hasSize((int) Math.round(0.2 * s.size()));
            assertThat(before.test()).isEmpty();
            for (int[] part : List.of(s.train(), s.validation(), s.test())) {
                for (int i : part) {
                    assertThat(seen[i]).as("index %d twice", i).isFalse();
                    seen[i] = true;
                }
            }
            int[] perClass = new int[10];
            for (int i : s.test()) {
                perClass[LABELS[i]]++;
            }
            int[] shardCounts = Shards.classCounts(s, LABELS, 10);
            for (int c = 0; c < 10; c++) {
                assertThat(perClass[c]).as("peer %d class %d", p, c).isBetween((int) (shardCounts[c] * 0.2) - 1, (int) Math.ceil(shardCounts[c] * 0.2) + 1);
            }
        }
        assertThat(seen).doesNotContain(false);
        assertThatThrownBy(() -> new PartitionPlan(new PartitionSpec.Iid(), 2, 1, 0.5, 0.5)).hasMessageContaining("local test fraction");
    }

    @Test
    void aStratifiedSampleKeepsTheClassMixAndDependsOnlyOnTheSeed() {
        int[] a = Partitioner.stratifiedSample(LABELS, 10, 300, 5);
        assertThat(a).hasSize(300).isSorted().doesNotHaveDuplicates().isEqualTo(Partitioner.stratifiedSample(LABELS, 10, 300, 5));
        assertThat(a).isNotEqualTo(Partitioner.stratifiedSample(LABELS, 10, 300, 6));
        int[] perClass = new int[10];
        for (int i : a) {
            perClass[LABELS[i]]++;
        }
        assertThat(perClass).containsOnly(30);
        assertThatThrownBy(() -> Partitioner.stratifiedSample(LABELS, 10, LABELS.length + 1, 0)).hasMessageContaining("give a number from 1 to");
    }

    @Test
    void defaultValidationFractionIsOneTenth() {
        assertThat(split("iid", 2, 1)).allSatisfy(s -> assertThat(s.validation()).hasSize(50));
    }

    @Test
    void badPlansAndLabelsAreRejected() {
        assertThatThrownBy(() -> PartitionPlan.of("iid", 0, 1)).hasMessageContaining("at least 1 peer");
        assertThatThrownBy(() -> new PartitionPlan(new PartitionSpec.Iid(), 2, 1, 1.0))
                .hasMessageContaining("validation fraction");
        assertThatThrownBy(() -> PartitionPlan.of("iid", 2, 1).split(new int[] {0, 3}, 3))
                .hasMessageContaining("Sample 1 has label 3");
    }

    @Test
    void shardsCannotBeChangedThroughTheirArrays() {
        Shard s = split("iid", 2, 1).get(0);
        int first = s.train()[0];

        s.train()[0] = -5;

        assertThat(s.train()[0]).isEqualTo(first);
    }
}
