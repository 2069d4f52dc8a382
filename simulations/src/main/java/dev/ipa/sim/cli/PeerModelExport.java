package dev.ipa.sim.cli;

import dev.ipa.alignment.data.Dataset;
import dev.ipa.alignment.model.Network;
import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.quant.WeightMode;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.alignment.train.LocalTrainer;
import dev.ipa.onnx.ModelInputs;
import dev.ipa.onnx.OnnxExporter;
import dev.ipa.sim.engine.Simulation;
import dev.ipa.sim.engine.SimulationConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ipa simulate --export-dir}: each peer's final model as {@code DIR/PEER.onnx}, with the federation's
 * settings (and, for a table, the agreed schema) in its provenance and the peer's test accuracy at export in its metrics. Called from the simulation's
 * thread once per peer.
 */
final class PeerModelExport implements Simulation.FinalModels {
  private final Path dir;
  private final SimulationConfig config;
  private final WeightMode mode;
  private final TableSchema schema;
  private final Dataset test;
  private final PrintWriter out;

  PeerModelExport(Path dir, SimulationConfig config, String weights, TableSchema schema, Dataset test, PrintWriter out) {
    this.dir = dir;
    this.config = config;
    this.mode = WeightMode.parse(weights == null ? "float" : weights);
    this.schema = schema;
    this.test = test;
    this.out = out;
  }

  @Override
  public void accept(String peerId, int roundsRun, Network network) {
    String version = Ipa.class.getPackage().getImplementationVersion();
    TreeMap<String, String> settings = new TreeMap<>(ModelProvenance.federationSettings(config.federation()));
    settings.put("train.weights", mode.toString());
    settings.put("simulation.peers", Integer.toString(config.peers()));
    settings.put("simulation.partition", config.partition().toString());
    if (schema != null) settings.putAll(ModelInputs.settings(schema));
    ModelProvenance p = new ModelProvenance(peerId, roundsRun, config.federation().common().seed(), settings,
        version == null ? "development build" : version, new TreeMap<>());
    PackedModel packed = PackedModel.pack(network, mode, p);
    double accuracy = LocalTrainer.evaluate(packed.toNetwork(), test, null).accuracy();
    byte[] onnx = OnnxExporter.export(packed, ModelInputs.of(packed, peerId, null), Map.of("test-accuracy", Double.toString(accuracy)));
    Path file = dir.resolve(peerId + ".onnx");
    ModelCommand.write(file, onnx);
    out.printf("  exported %s (round %d, test accuracy %.4f)%n", file, roundsRun, accuracy);
    out.flush();
  }
}
