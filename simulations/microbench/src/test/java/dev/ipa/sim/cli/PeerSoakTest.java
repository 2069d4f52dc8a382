package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.data.FashionMnist;
import dev.ipa.alignment.data.TrainTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's data subset is what the peer daemons read: IDX files a data directory loader accepts. */
class PeerSoakTest {
  @TempDir Path dir;

  @Test
  void theSubsetIsReadBackAsADataDirectoryWithTheAskedSizesAndEveryClass() {
    PeerSoak.writeSubset(dir, 1200, 500);
    TrainTest read = FashionMnist.fromDirectory(dir, "the soak");
    TrainTest all = FashionMnist.embedded();
    assertThat(read.train().count()).isEqualTo(1200);
    assertThat(read.test().count()).isEqualTo(500);
    assertThat(read.train().featureSize()).isEqualTo(all.train().featureSize());
    assertThat(read.train().numClasses()).isEqualTo(all.train().numClasses());
    for (int c : read.train().classCounts()) assertThat(c).as("a random subset of a balanced set holds every class").isPositive();
  }

  @Test
  void aSubsetLargerThanTheEmbeddedDataIsRefusedWithTheLimits() {
    assertThatThrownBy(() -> PeerSoak.writeSubset(dir, 1_000_000, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most").hasMessageContaining("--train");
  }
}
