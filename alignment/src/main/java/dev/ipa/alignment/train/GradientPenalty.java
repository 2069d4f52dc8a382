package dev.ipa.alignment.train;

/**
 * An extra term added to the loss of every training step, such as the IPA alignment penalty or FedProx's
 * proximal term. Called after the data gradient is computed and before the optimiser step, with the flat
 * parameter and gradient vectors as plain arrays, so the penalty's gradient is added in one fused pass.
 */
@FunctionalInterface
public interface GradientPenalty {
  GradientPenalty NONE = (params, grads) -> 0.0;

  /** Adds d penalty / dθ into {@code grads} and returns the penalty's value. Must not modify {@code params}. */
  double addTo(float[] params, float[] grads);
}
