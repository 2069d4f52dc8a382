package dev.ipa.alignment.quant;

import dev.ipa.alignment.model.Architecture;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.model.ParamTensor;
import dev.ipa.alignment.provenance.ModelProvenance;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A trained model in its compressed, deployable form: architecture, the weight mode it was trained with, its
 * provenance, and one {@link PackedLayer} per weight layer. {@link #pack} takes it from a network's latent
 * weights with the same arithmetic the training transforms use, so the packed weights equal the network's
 * forward-pass weights bit for bit; only compressed layers' biases change, rounded to fp16.
 *
 * <p>Lifecycle: {@link #pack} or {@link #fromBytes} → {@link #toBytes}, {@link #toNetwork} or a
 * {@link PackedInference}. Immutable; safe to share between threads. The byte layout is in
 * {@link PackedModelFormat}; reading and writing files is left to callers, since this module does no file I/O
 * outside {@code data}.
 *
 * @param architecture network shape
 * @param weightMode   canonical {@link WeightMode} spec
 * @param provenance   who trained it, when and how
 * @param layers       weight layers in forward order
 */
public record PackedModel(Architecture architecture, String weightMode, ModelProvenance provenance, List<PackedLayer> layers) {

  public PackedModel {
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(weightMode, "weightMode");
    Objects.requireNonNull(provenance, "provenance");
    layers = List.copyOf(layers);
    List<LayerPlan> shapes = WeightMode.shapes(architecture);
    if (shapes.size() != layers.size()) {
      throw new ModelFileException("The model has " + layers.size() + " weight layers but its architecture " + architecture.describe() + " has " + shapes.size() + ".");
    }
    for (int i = 0; i < shapes.size(); i++) {
      LayerPlan want = shapes.get(i);
      LayerPlan got = layers.get(i).plan();
      if (want.rows() != got.rows() || want.cols() != got.cols()) {
        throw new ModelFileException("Layer " + (i + 1) + " is " + got.rows() + "x" + got.cols() + " but the architecture "
            + architecture.describe() + " needs " + want.rows() + "x" + want.cols() + ".");
      }
    }
  }

  /** Packs {@code network}, which must have been built with {@code mode.transforms(network.architecture())}. */
  public static PackedModel pack(Network network, WeightMode mode, ModelProvenance provenance) {
    Architecture arch = network.architecture();
    List<LayerPlan> plan = mode.plan(arch);
    List<ParamTensor> tensors = network.tensors();
    if (tensors.size() != 2 * plan.size()) {
      throw new IllegalArgumentException("The network has " + tensors.size() + " tensors, expected a weight and a bias for each of " + plan.size() + " layers.");
    }
    float[] theta = network.copyParams();
    List<PackedLayer> layers = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      LayerPlan p = plan.get(i);
      ParamTensor w = tensors.get(2 * i);
      ParamTensor b = tensors.get(2 * i + 1);
      if (!w.weight() || w.length() != p.weightCount() || b.length() != p.cols()) {
        throw new IllegalArgumentException("Tensor " + w.name() + " does not match the planned " + p.rows() + "x" + p.cols() + " layer " + p.name() + ".");
      }
      int n = p.weightCount();
      float[] latent = new float[n];
      System.arraycopy(theta, w.offset(), latent, 0, n);
      float[] biases = new float[p.cols()];
      System.arraycopy(theta, b.offset(), biases, 0, p.cols());
      if (p.biasWidth() == 2) for (int j = 0; j < biases.length; j++) biases[j] = Half.round(biases[j]);
      if (p.kind() == WeightKind.FLOAT) {
        layers.add(new PackedLayer(p, new long[0], new float[0], latent, biases));
      } else {
        float[] om = new float[n];
        SignTiles.toOutputMajor(latent, p.rows(), p.cols(), om);
        float[] sums = new float[p.tileLength()];
        float[] scales = new float[p.scaleCount()];
        SignTiles.tile(om, n, p.tileLength(), p.scaleGroup(), sums, scales);
        layers.add(new PackedLayer(p, SignTiles.bits(sums, p.tileLength()), scales, new float[0], biases));
      }
    }
    return new PackedModel(arch, mode.toString(), provenance, layers);
  }

  /** Per-layer plans, in forward order. */
  public List<LayerPlan> plans() {
    return layers.stream().map(PackedLayer::plan).toList();
  }

  /** Exact size of this model's file in bytes. */
  public int fileSize() {
    return PackedModelFormat.fileSize(this);
  }

  /** Bytes the same architecture takes with every parameter in fp32 (weights and biases, no header). */
  public long fp32Bytes() {
    long p = 0;
    for (PackedLayer l : layers) p += (long) l.plan().weightCount() + l.plan().cols();
    return 4 * p;
  }

  /**
   * The unpacked model: a float network whose weights are the expanded packed weights and whose biases are the
   * stored ones. Its predictions are the reference packed inference is checked against.
   */
  public Network toNetwork() {
    Network net = Network.create(architecture, 0);
    float[] theta = new float[net.parameterCount()];
    List<ParamTensor> tensors = net.tensors();
    for (int i = 0; i < layers.size(); i++) {
      PackedLayer l = layers.get(i);
      System.arraycopy(l.expand(), 0, theta, tensors.get(2 * i).offset(), l.plan().weightCount());
      System.arraycopy(l.biases(), 0, theta, tensors.get(2 * i + 1).offset(), l.plan().cols());
    }
    net.setParams(theta);
    return net;
  }

  /** Serialises this model (see {@link PackedModelFormat}). */
  public byte[] toBytes() {
    return PackedModelFormat.write(this);
  }

  /** Parses a model written by {@link #toBytes}; {@code source} names it in error messages. */
  public static PackedModel fromBytes(byte[] bytes, String source) {
    return PackedModelFormat.read(bytes, source);
  }
}
