package dev.ipa.alignment.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.model.ParamTensor;
import dev.ipa.alignment.provenance.ModelProvenance;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WeightModeTest {
  private static final Architecture MLP = Architecture.parse("mlp", 1, 28, 28, 10);
  private static final Architecture CNN = Architecture.parse("cnn", 1, 28, 28, 10);

  @Test
  void specsParseAndPrintCanonically() {
    assertThat(WeightMode.parse("float")).isEqualTo(WeightMode.FLOAT);
    assertThat(WeightMode.parse("binary:per-layer").toString()).isEqualTo("binary");
    for (String s : List.of("float", "binary", "binary:per-unit", "tiled:4", "tiled:8,min=1000,first=binary,last=float,ste=identity", "binary,first=float")) {
      assertThat(WeightMode.parse(s).toString()).isEqualTo(s);
      assertThat(WeightMode.parse(WeightMode.parse(s).toString())).isEqualTo(WeightMode.parse(s));
    }
    assertThat(WeightMode.parse(" Tiled:4 , First=Binary ").toString()).isEqualTo("tiled:4,first=binary");
  }

  @Test
  void badSpecsAreOneSentence() {
    assertThatThrownBy(() -> WeightMode.parse("ternary")).hasMessage("Unknown weight kind 'ternary' in 'ternary'; use float, binary or tiled.");
    assertThatThrownBy(() -> WeightMode.parse("tiled")).hasMessageContaining("needs a tile count");
    assertThatThrownBy(() -> WeightMode.parse("tiled:1")).hasMessage("tiled:P needs 2 ≤ P ≤ 65535 tile copies, got 1.");
    assertThatThrownBy(() -> WeightMode.parse("tiled:x")).hasMessageContaining("must be an integer");
    assertThatThrownBy(() -> WeightMode.parse("binary,min=3")).hasMessageContaining("tiled mode only");
    assertThatThrownBy(() -> WeightMode.parse("binary,first=tiled")).hasMessageContaining("need tiled mode");
    assertThatThrownBy(() -> WeightMode.parse("binary,depth=3")).hasMessageContaining("Unknown option 'depth'");
    assertThatThrownBy(() -> WeightMode.parse("float:2")).hasMessageContaining("takes no argument");
  }

  @Test
  void shapesMatchTheNetworksWeightTensors() {
    for (Architecture a : List.of(MLP, CNN, new Architecture("cnn", 3, 8, 12, 4, List.of(2, 3, 5)), new Architecture("mlp", 1, 3, 3, 2, List.of()))) {
      List<ParamTensor> weights = Network.create(a, 0).tensors().stream().filter(ParamTensor::weight).toList();
      List<LayerPlan> shapes = WeightMode.shapes(a);
      assertThat(shapes).hasSameSizeAs(weights);
      for (int i = 0; i < shapes.size(); i++) {
        int[] s = weights.get(i).shape();
        assertThat(weights.get(i).name()).isEqualTo(shapes.get(i).name() + ".W");
        assertThat(shapes.get(i).cols()).isEqualTo(s[s.length - 1]);
        assertThat(shapes.get(i).weightCount()).isEqualTo(weights.get(i).length());
      }
    }
  }

  @Test
  void tiledMlpTilesOnlyItsLargeFirstLayerByDefault() {
    List<LayerPlan> plan = WeightMode.parse("tiled:4").plan(MLP);
    assertThat(plan).extracting(LayerPlan::mode).containsExactly("tiled:4", "binary", "binary");
    assertThat(WeightMode.parse("tiled:4,min=0").plan(MLP)).extracting(LayerPlan::mode).containsExactly("tiled:4", "tiled:4", "tiled:4");
    assertThat(WeightMode.parse("tiled:4,first=float,last=float,min=0").plan(MLP)).extracting(LayerPlan::mode).containsExactly("float", "tiled:4", "float");
    assertThat(WeightMode.parse("binary:per-unit,last=float").plan(CNN)).extracting(LayerPlan::mode)
        .containsExactly("binary:per-unit", "binary:per-unit", "binary:per-unit", "float");
    // The CNN's dense1 (1568x128 = 200,704 weights) is its only layer above the default threshold.
    assertThat(WeightMode.parse("tiled:4").plan(CNN)).extracting(LayerPlan::mode).containsExactly("binary", "binary", "tiled:4", "binary");
  }

  @Test
  void mlpFileSizesFollowTheLayerPlanAndMeetTheBudgets() {
    // fp32: 199,210 parameters · 4 = 796,840 bytes. Binary: 24,850 bytes of bits, 3 scales, 410 fp16 biases.
    for (String spec : List.of("float", "binary", "binary:per-unit", "tiled:4")) {
      WeightMode mode = WeightMode.parse(spec);
      // What 'ipa train --weights SPEC --epochs 5 --export' records, so the header sizes are the README's.
      ModelProvenance p = new ModelProvenance("local", 0, 0, new TreeMap<>(Map.of("train.weights", mode.toString(), "train.epochs", "5",
          "train.batch", "50", "train.learning-rate", "0.001")), "development build", new TreeMap<>());
      PackedModel m = PackedModel.pack(Network.create(MLP, 1, mode.transforms(MLP)), mode, p);
      assertThat(m.toBytes()).hasSize(m.fileSize());
      assertThat(m.fp32Bytes()).isEqualTo(796_840);
      int layers = m.plans().stream().mapToInt(LayerPlan::packedBytes).sum();
      int header = m.fileSize() - layers;
      switch (spec) {
        case "float" -> assertThat(layers).isEqualTo(796_840 + 3 * (LayerPlan.DESCRIPTOR_BYTES + 1));
        case "binary" -> {
          assertThat(layers).isEqualTo(24_850 + 3 * 4 + 410 * 2 + 3 * (LayerPlan.DESCRIPTOR_BYTES + 1));
          assertThat(m.fileSize()).isLessThanOrEqualTo(796_840 / 30);
          assertThat(header).isEqualTo(168);
        }
        case "binary:per-unit" -> assertThat(layers).isEqualTo(24_850 + 410 * 4 + 410 * 2 + 3 * (LayerPlan.DESCRIPTOR_BYTES + 1));
        case "tiled:4" -> {
          // dense1 tiled: 39,200 bits and 4 scales; dense2 and dense3 binary: 5,000 + 250 bytes and 1 scale each.
          assertThat(layers).isEqualTo(4_900 + 4 * 4 + 5_000 + 4 + 250 + 4 + 410 * 2 + 3 * (LayerPlan.DESCRIPTOR_BYTES + 1));
          assertThat(m.fileSize()).isLessThanOrEqualTo(796_840 / 60);
          assertThat(header).isEqualTo(170);
        }
        default -> throw new AssertionError(spec);
      }
      assertThat(header).isLessThan(200);
    }
  }
}
