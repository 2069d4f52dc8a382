package dev.ipa.alignment.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Maps a layer's latent real-valued weights to the weights its forward pass uses, and the gradient back.
 * Float layers use {@link #IDENTITY}; binary and tiled-bit layers quantise in {@link #apply} and pass the gradient
 * straight through in {@link #backward}. Implementations are stateless or per-layer; not shared across threads.
 */
public interface WeightTransform {
  WeightTransform IDENTITY = new WeightTransform() {
    @Override
    public boolean isIdentity() {
      return true;
    }

    @Override
    public void apply(INDArray latent, INDArray effective) {
      effective.assign(latent);
    }

    @Override
    public void backward(INDArray latent, INDArray effectiveGrad, INDArray latentGrad) {
      latentGrad.assign(effectiveGrad);
    }

    @Override
    public String mode() {
      return "float";
    }
  };

  /** True when the forward pass uses the latent weights unchanged (no copy is made then). */
  boolean isIdentity();

  /** Writes the forward-pass weights for {@code latent} into {@code effective} (same shape). */
  void apply(INDArray latent, INDArray effective);

  /** Writes d loss / d latent into {@code latentGrad}, given d loss / d effective. */
  void backward(INDArray latent, INDArray effectiveGrad, INDArray latentGrad);

  /** The mode's name as shown to users: float, binary, tiled:4. */
  String mode();
}
