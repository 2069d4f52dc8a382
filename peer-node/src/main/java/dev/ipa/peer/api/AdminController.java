package dev.ipa.peer.api;

import dev.ipa.alignment.provenance.ModelProvenance;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.onnx.ModelInputs;
import dev.ipa.onnx.OnnxExporter;
import dev.ipa.peer.checkpoint.RoundSummary;
import dev.ipa.peer.federation.PeerNode;
import dev.ipa.peer.federation.PeerStatus;
import dev.ipa.transport.LinkState;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The admin REST API of a peer (JSON). Every endpoint requires the admin's HTTP basic credentials. Control
 * actions take effect between rounds: a round in progress always completes and is checkpointed.
 */
@Controller("/api")
@Secured(SecurityRule.IS_AUTHENTICATED)
@SecurityRequirement(name = "basicAuth")
public class AdminController {
  private final PeerNode node;

  public AdminController(PeerNode node) {
    this.node = node;
  }

  /**
   * A neighbour link for {@code GET /api/peers}: {@code roundTripMillis} and {@code lastSeen} are null until
   * measured, {@code failures} counts the completed rounds whose exchange it missed, {@code suspectedSnapshots}
   * the snapshots from it this peer rejected as corrupt, {@code suspected} the last reason one of its snapshots,
   * claims or notices was rejected or suspected by the defences (null when none).
   */
  public record Neighbour(String peerId, boolean connected, String lastSeen, int lastRoundReceived, long bytesIn, long bytesOut,
      Double roundTripMillis, int failures, long suspectedSnapshots, String suspected) {}

  /** The outcome of a control action. */
  public record ControlResult(String action, boolean changed, PeerStatus status) {}

  @Get("/status")
  @Operation(summary = "Peer id, state (idle, training, waiting, paused, finished, stopped, failed) with its reason, last round, accuracy and loss")
  public PeerStatus status() {
    return node.status();
  }

  @Get("/peers")
  @Operation(summary = "Each neighbour link: connected, last seen, last round received, bytes in/out, RTT, and the last reason one of its snapshots was rejected or suspected")
  public List<Neighbour> peers() {
    List<Neighbour> out = new ArrayList<>();
    List<RoundSummary> history = node.history();
    for (LinkState l : node.links().values()) {
      int failures = 0;
      for (RoundSummary r : history) for (String f : r.failures()) if (f.startsWith(l.peerId() + ":")) failures++;
      out.add(new Neighbour(l.peerId(), l.connected(), l.lastSeen() == null ? null : l.lastSeen().toString(), l.lastRoundReceived(),
          l.bytesIn(), l.bytesOut(), l.roundTripMillis() < 0 || Double.isNaN(l.roundTripMillis()) ? null : l.roundTripMillis(), failures,
          node.suspectedSnapshots(l.peerId()), node.lastSuspicion(l.peerId()).orElse(null)));
    }
    return out;
  }

  @Get("/rounds")
  @Operation(summary = "Per-round metrics of every completed round, contiguous from round 0")
  public List<RoundSummary> rounds() {
    return node.history();
  }

  @Get("/fairness")
  @Operation(summary = "Fairness and early-stop figures: accuracy reached, best round, missed exchanges per neighbour, staleness, stops, privacy budget")
  public FairnessFigures fairness() {
    return FairnessFigures.of(node.id(), node.history(), node.stops());
  }

  @Post("/federation/{action}")
  @Operation(summary = "start, pause, resume or stop the federation; changes take effect between rounds. Pause and stop reach every"
      + " neighbour over the transport; pause?scope=peer pauses this peer alone (its neighbours then wait for it)")
  public HttpResponse<?> control(@PathVariable String action, @QueryValue(defaultValue = "federation") String scope) {
    // A bad request is answered, not thrown: a thrown exception is recorded as a 500 in the HTTP metrics even
    // when a handler turns it into a 400.
    if (!scope.equals("federation") && !scope.equals("peer")) return unknown("scope=" + scope);
    Boolean changed = switch (action) {
      case "start" -> node.start();
      case "pause" -> node.pause(scope.equals("federation"));
      case "resume" -> node.resume();
      case "stop" -> node.stop();
      default -> null;
    };
    if (changed == null) return unknown(action);
    return HttpResponse.ok(new ControlResult(action, changed, node.status()));
  }

  private static HttpResponse<Map<String, String>> unknown(String action) {
    return HttpResponse.badRequest(Map.of("error", "Unknown action '" + action
        + "'; use start, pause, resume or stop, and for pause scope=federation (the default) or scope=peer."));
  }

  @Get(value = "/model", produces = MediaType.APPLICATION_OCTET_STREAM)
  @Operation(summary = "The latest model: format=packed (the default) in the packed model format, format=onnx as ONNX with its"
      + " preprocessing in the graph; which=personal (the default: for IPA the model the peer trains, fine-tuned on its own data) or which=consensus (the data-size"
      + " weighted mean of the latest snapshots); provenance included either way")
  public HttpResponse<?> model(@QueryValue(defaultValue = "packed") String format, @QueryValue(defaultValue = "personal") String which) {
    if (!which.equals("personal") && !which.equals("consensus")) {
      return HttpResponse.badRequest(Map.of("error", "Unknown model '" + which + "'; use which=personal (the default) or which=consensus."))
          .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
    ModelProvenance p = node.modelProvenance();
    byte[] consensus = node.packedConsensus();
    // Where the consensus is the model itself (FedAvg, FedProx, local-only, IPA before any snapshot), both are one model.
    byte[] packed = which.equals("consensus") && consensus != null ? consensus : node.packedModel();
    String name = p.peerId() + "-round" + p.round() + (which.equals("consensus") ? "-consensus" : "");
    return switch (format) {
      case "packed" -> HttpResponse.ok(packed).header("Content-Disposition", "attachment; filename=\"" + name + ".ipaq\"");
      case "onnx" -> {
        PackedModel m = PackedModel.fromBytes(packed, "the peer's current model");
        Map<String, String> metrics = new java.util.TreeMap<>();
        List<RoundSummary> history = node.history();
        if (!history.isEmpty()) {
          RoundSummary last = history.get(history.size() - 1);
          boolean c = which.equals("consensus") && last.consensusTestAccuracy() != null;
          metrics.put("test-accuracy", Double.toString(c ? last.consensusTestAccuracy() : last.testAccuracy()));
          metrics.put("validation-accuracy", Double.toString(last.validationAccuracy()));
          metrics.put("model", which);
        }
        yield HttpResponse.ok(OnnxExporter.export(m, ModelInputs.of(m, "the peer's current model", null), metrics))
            .header("Content-Disposition", "attachment; filename=\"" + name + ".onnx\"");
      }
      default -> HttpResponse.badRequest(Map.of("error", "Unknown format '" + format + "'; use packed (the default) or onnx."))
          .contentType(MediaType.APPLICATION_JSON_TYPE);
    };
  }

  @Get("/model/provenance")
  @Operation(summary = "Provenance of the latest model: peer, round, seed, settings by name, code version, versions of the neighbour snapshots it aligned to")
  public ModelProvenance provenance() {
    return node.modelProvenance();
  }
}
