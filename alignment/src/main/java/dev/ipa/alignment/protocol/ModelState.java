package dev.ipa.alignment.protocol;

import java.util.Objects;

/**
 * A model a strategy trains beside θ, as a checkpoint holds it: its parameters, its Adam moments (m then v) and the
 * Adam steps taken. Immutable by convention: nobody writes into the arrays.
 */
public record ModelState(float[] params, float[] moments, int iteration) {
  public ModelState {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(moments, "moments");
    if (iteration < 0) throw new IllegalArgumentException("A model state's Adam steps must be ≥ 0, got " + iteration + ".");
  }
}
