package dev.ipa.alignment.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.data.FashionMnist;
import dev.ipa.alignment.data.TrainTest;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Training on the embedded Fashion-MNIST subset: it learns, and a seed reproduces a run exactly. */
class LocalTrainerTest {
  static TrainTest data;

  @BeforeAll
  static void load() {
    data = FashionMnist.embedded();
  }

  private static int[] all(int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    return idx;
  }

  private static Network trainOneEpoch(long seed) {
    Architecture a = Architecture.parse("mlp", 1, data.train().rows(), data.train().cols(), data.train().numClasses());
    Network net = Network.create(a, seed);
    LocalTrainer t = new LocalTrainer(net, data.train(), all(data.train().count()), 50, 1e-3, seed);
    t.trainEpoch(GradientPenalty.NONE);
    return net;
  }

  @Test
  void oneEpochOnTheEmbeddedSubsetBeats75PercentTestAccuracy() {
    Network net = trainOneEpoch(0);
    Evaluation e = LocalTrainer.evaluate(net, data.test(), null);
    assertThat(e.count()).isEqualTo(data.test().count());
    assertThat(e.accuracy()).isGreaterThan(0.75);
  }

  @Test
  void theSameSeedGivesIdenticalWeightsAfterTraining() {
    assertThat(trainOneEpoch(3).copyParams()).containsExactly(trainOneEpoch(3).copyParams());
  }

  @Test
  void aPenaltyGradientReachesTheOptimiser() {
    // A huge constant gradient on every parameter dominates the data gradient: Adam then moves every
    // parameter by about −lr per step, whatever the data says.
    Architecture a = Architecture.parse("mlp:8", 1, data.train().rows(), data.train().cols(), data.train().numClasses());
    Network net = Network.create(a, 1);
    float[] before = net.copyParams();
    LocalTrainer t = new LocalTrainer(net, data.train(), all(100), 50, 1e-3, 1);
    t.trainSteps(3, (p, g) -> {
      for (int i = 0; i < g.length; i++) g[i] += 1e6f;
      return 0;
    });
    float[] after = net.copyParams();
    for (int i = 0; i < after.length; i += 97) {
      assertThat((double) before[i] - after[i]).isCloseTo(3e-3, org.assertj.core.data.Offset.offset(1e-4));
    }
  }

  @Test
  void mismatchedDataAndModelShapesAreRejectedWithASentence() {
    Architecture a = new Architecture("mlp", 1, 10, 10, 10, java.util.List.of(4));
    Network net = Network.create(a, 1);
    assertThatThrownBy(() -> new LocalTrainer(net, data.train(), all(10), 50, 1e-3, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("784 features").hasMessageContaining("expects 100");
  }

  @Test
  void resumingAtACheckpointedPositionReproducesTheRun() {
    Architecture a = Architecture.parse("mlp:16", 1, data.train().rows(), data.train().cols(), data.train().numClasses());
    Network straight = Network.create(a, 5);
    LocalTrainer t1 = new LocalTrainer(straight, data.train(), all(500), 50, 1e-3, 5);
    t1.trainSteps(13, GradientPenalty.NONE);

    Network resumed = Network.create(a, 5);
    LocalTrainer t2 = new LocalTrainer(resumed, data.train(), all(500), 50, 1e-3, 5);
    t2.trainSteps(7, GradientPenalty.NONE);
    float[] params = resumed.copyParams();
    float[] moments = t2.optimiser().exportMoments();
    int epoch = t2.epoch();
    int cursor = t2.cursor();
    int iterations = t2.optimiser().iteration();

    Network fresh = Network.create(a, 99);
    fresh.setParams(params);
    LocalTrainer t3 = new LocalTrainer(fresh, data.train(), all(500), 50, 1e-3, 5);
    t3.optimiser().restore(moments, iterations);
    t3.seek(epoch, cursor);
    t3.trainSteps(6, GradientPenalty.NONE);
    assertThat(fresh.copyParams()).containsExactly(straight.copyParams());
  }
}
