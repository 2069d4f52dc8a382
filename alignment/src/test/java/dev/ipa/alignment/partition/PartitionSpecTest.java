package dev.ipa.alignment.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionSpecTest {
    @Test
    void parsesEveryForm() {
        assertThat(PartitionSpec.parse("iid")).isEqualTo(new PartitionSpec.Iid());
        assertThat(PartitionSpec.parse(" Dirichlet:0.5 ")).isEqualTo(new PartitionSpec.Dirichlet(0.5));
        assertThat(PartitionSpec.parse("disjoint")).isEqualTo(new PartitionSpec.Disjoint(List.of()));
        assertThat(PartitionSpec.parse("disjoint:9/1")).isEqualTo(new PartitionSpec.Disjoint(List.of(9, 1)));
        assertThat(PartitionSpec.parse("power-law")).isEqualTo(new PartitionSpec.PowerLaw(1.0));
        assertThat(PartitionSpec.parse("power-law:2.5")).isEqualTo(new PartitionSpec.PowerLaw(2.5));
        assertThat(PartitionSpec.parse("class-imbalance")).isEqualTo(new PartitionSpec.ClassImbalance(0.8));
        assertThat(PartitionSpec.parse("class-imbalance:0.9")).isEqualTo(new PartitionSpec.ClassImbalance(0.9));
    }

    @ParameterizedTest
    @ValueSource(strings = {"iid", "dirichlet:0.01", "dirichlet:3", "dirichlet-capped:0.1", "disjoint", "disjoint:7/3", "power-law:1",
        "power-law:0.5", "class-imbalance:0.8"})
    void toStringParsesBack(String text) {
        PartitionSpec spec = PartitionSpec.parse(text);

        assertThat(spec.toString()).isEqualTo(text);
        assertThat(PartitionSpec.parse(spec.toString())).isEqualTo(spec);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "shards                | Unknown partition 'shards'; use one of iid, dirichlet:α",
        "''                    | The partition is empty; use one of",
        "dirichlet             | dirichlet needs a concentration α",
        "dirichlet:0           | dirichlet needs a finite α > 0, but got 0.0",
        "dirichlet:-1          | dirichlet needs a finite α > 0, but got -1.0",
        "dirichlet:x           | The α in 'dirichlet:x' should be a finite number",
        "dirichlet:NaN         | The α in 'dirichlet:NaN' should be a finite number",
        "dirichlet-capped      | dirichlet-capped needs a concentration α",
        "dirichlet-capped:0    | dirichlet-capped needs a finite α > 0, but got 0.0",
        "disjoint:9/x          | but 'x' is not a whole number",
        "disjoint:9/0          | needs at least 1 class, but one has 0",
        "power-law:-1          | power-law needs a finite β ≥ 0",
        "class-imbalance:1     | strictly between 0 and 1",
        "class-imbalance:0     | strictly between 0 and 1",
        "iid:2                 | 'iid:2' takes no parameter",
    })
    void rejectsBadSpecsWithOneSentence(String text, String expected) {
        assertThatThrownBy(() -> PartitionSpec.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(expected)
                .hasMessageEndingWith(".");
    }

    @Test
    void disjointNeedsNoMorePeersThanClasses() {
        PartitionSpec spec = PartitionSpec.parse("disjoint");

        assertThatThrownBy(() -> spec.requireFits(11, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("disjoint cannot give 11 peers whole classes of their own when there are only 10 "
                        + "classes; use at most 10 peers or another partition.");
    }

    @Test
    void explicitDisjointGroupsMustMatchPeersAndClasses() {
        PartitionSpec spec = PartitionSpec.parse("disjoint:9/1");

        assertThatThrownBy(() -> spec.requireFits(3, 10)).hasMessageContaining("names 2 class groups but there are 3");
        assertThatThrownBy(() -> spec.requireFits(2, 12)).hasMessageContaining("covers 10 classes but the data has 12");
    }
}
