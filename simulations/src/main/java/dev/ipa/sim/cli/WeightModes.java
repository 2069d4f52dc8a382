package dev.ipa.sim.cli;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.WeightTransform;
import dev.ipa.alignment.quant.WeightMode;
import java.util.function.Function;

/** Maps the {@code --weights} option to per-layer weight transforms of the simulated peers' local models. */
final class WeightModes {
  private WeightModes() {}

  static Function<Integer, WeightTransform> transforms(String weights, Architecture arch) {
    return WeightMode.parse(weights == null ? "float" : weights).transforms(arch);
  }
}
