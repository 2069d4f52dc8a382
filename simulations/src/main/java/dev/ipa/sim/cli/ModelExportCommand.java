package dev.ipa.sim.cli;

import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.alignment.table.SchemaJson;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.onnx.ModelInput;
import dev.ipa.onnx.ModelInputs;
import dev.ipa.onnx.OnnxExporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ipa model export MODEL --format onnx --out FILE}: the model in a format other tools read. */
@Command(name = "export", description = "Write a model as ONNX, with its preprocessing inside the graph and its provenance in the metadata.")
final class ModelExportCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "MODEL", description = "A model file written by 'ipa train --export' or a peer.")
  String model;

  @Option(names = "--format", defaultValue = "onnx", description = "Export format; onnx is the one there is. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the exported model.")
  Path out;

  @Option(names = "--schema", paramLabel = "FILE", description = "The table schema the model was trained with, for a model that does not record it.")
  Path schema;

  @Override
  public void run() {
    requireOnnx(format);
    PackedModel m = ModelCommand.read(model);
    ModelInput input = input(m, model, schema);
    byte[] bytes = OnnxExporter.export(m, input, Map.of());
    ModelCommand.write(out, bytes);
    PrintWriter o = spec.commandLine().getOut();
    o.printf("Exported %s (%s, %s weights) to %s: %,d bytes of ONNX; inputs: %s; outputs: label, probabilities%n", model,
        m.architecture().describe(), m.weightMode(), out, bytes.length, describe(input, m));
    o.flush();
  }

  static void requireOnnx(String format) {
    if (!"onnx".equals(format.toLowerCase(Locale.ROOT))) {
      throw new Ipa.UserError("Unknown --format '" + format + "'; the one export format is onnx.");
    }
  }

  /** What the model takes, from its provenance or {@code schemaFile}. */
  static ModelInput input(PackedModel m, String source, Path schemaFile) {
    TableSchema given = schemaFile == null ? null : SchemaJson.read(schemaFile);
    ModelInput input = ModelInputs.of(m, source, given);
    if (input instanceof ModelInput.Tabular t && t.schema().encodedWidth() != m.architecture().inputSize()) {
      throw new Ipa.UserError("The schema encodes " + t.schema().encodedWidth() + " inputs but " + source + " (" + m.architecture().describe()
          + ") takes " + m.architecture().inputSize() + "; give the schema the model was trained with.");
    }
    return input;
  }

  static String describe(ModelInput input, PackedModel m) {
    if (input instanceof ModelInput.Tabular t) return t.schema().columns().size() + " named columns (" + t.schema().encodedWidth() + " encoded features)";
    var a = m.architecture();
    return "image float[N," + a.channels() + "," + a.rows() + "," + a.cols() + "], pixel / 255";
  }
}
