package dev.ipa.alignment.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Evaluation;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.train.GradientPenalty;
import dev.ipa.alignment.train.LocalTrainer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Inference from the packed form against the unpacked network, on small trained MLPs and CNNs. */
class PackedInferenceTest {

  /** Images whose class is the brightest of three vertical bands, plus noise: learnable in a few dozen steps. */
  static Dataset bands(int count, int side, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    byte[] pixels = new byte[count * side * side];
    byte[] labels = new byte[count];
    for (int s = 0; s < count; s++) {
      int label = rng.nextInt(3);
      labels[s] = (byte) label;
      for (int r = 0; r < side; r++) {
        for (int c = 0; c < side; c++) {
          int band = Math.min(2, c * 3 / side);
          pixels[(s * side + r) * side + c] = (byte) (rng.nextInt(120) + (band == label ? 120 : 0));
        }
      }
    }
    return Dataset.of("bands", side, side, 3, pixels, labels);
  }

  private static void trainPackAndCompare(Architecture a, String spec, int side) {
    WeightMode mode = WeightMode.parse(spec);
    Dataset train = bands(300, side, 1);
    Dataset test = bands(200, side, 2);
    Network net = Network.create(a, 7, mode.transforms(a));
    int[] all = new int[train.count()];
    for (int i = 0; i < all.length; i++) all[i] = i;
    LocalTrainer trainer = new LocalTrainer(net, train, all, 20, 0.003, 7);
    double chance = LocalTrainer.evaluate(net, test, null).accuracy();
    trainer.trainSteps(100, GradientPenalty.NONE);
    double trained = LocalTrainer.evaluate(net, test, null).accuracy();
    assertThat(trained).as("%s %s trains (from %.2f)", a.describe(), spec, chance).isGreaterThan(0.6);

    PackedModel packed = PackedModel.fromBytes(PackedModel.pack(net, mode, ModelProvenance.fromSettingsText("p", 0, 7, spec, "test")).toBytes(), "test");
    int[] unpacked = new int[test.count()];
    LocalTrainer.evaluate(packed.toNetwork(), test, null, unpacked);
    PackedInference inference = new PackedInference(packed);
    PackedInference.Result result = inference.evaluate(test, 64);
    assertThat(result.predictions()).as("%s %s", a.describe(), spec).containsExactly(unpacked);
    assertThat(result.count()).isEqualTo(200);

    // Log-probabilities agree to float rounding with the network's BLAS forward pass.
    float[] x = new float[test.count() * test.featureSize()];
    int[] idx = new int[test.count()];
    for (int i = 0; i < idx.length; i++) idx[i] = i;
    test.features(idx, 0, idx.length, x);
    float[] logits = inference.logits(x, test.count());
    Network reference = packed.toNetwork();
    int k = a.classes();
    for (int r = 0; r < 20; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < k; c++) max = Math.max(max, logits[r * k + c]);
      double sum = 0;
      for (int c = 0; c < k; c++) sum += Math.exp(logits[r * k + c] - max);
      INDArray row = Nd4j.create(DataType.FLOAT, 1, test.featureSize());
      row.data().asNioFloat().put(0, x, r * test.featureSize(), test.featureSize());
      for (int c = 0; c < k; c++) {
        Evaluation e = new Evaluation();
        reference.evaluate(row, new int[] {c}, 1, e, null);
        double packedLogProb = logits[r * k + c] - max - Math.log(sum);
        assertThat(packedLogProb).isCloseTo(-e.meanLoss(), within(1e-4));
      }
    }
  }

  @Test
  void tiledMlpPackedPredictionsEqualTheUnpackedModel() {
    trainPackAndCompare(new Architecture("mlp", 1, 8, 8, 3, List.of(32, 16)), "tiled:4,min=0", 8);
  }

  @Test
  void binaryPerUnitMlpWithAFloatLastLayer() {
    trainPackAndCompare(new Architecture("mlp", 1, 8, 8, 3, List.of(24)), "binary:per-unit,last=float", 8);
  }

  @Test
  void tiledCnnPackedPredictionsEqualTheUnpackedModel() {
    trainPackAndCompare(new Architecture("cnn", 1, 8, 8, 3, List.of(4, 6, 12)), "tiled:2,min=0,first=binary", 8);
  }
}
