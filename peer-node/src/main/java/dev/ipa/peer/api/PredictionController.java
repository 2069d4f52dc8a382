package dev.ipa.peer.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.onnx.RecordPrediction;
import dev.ipa.peer.federation.PeerNode;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/predict}: labels and class probabilities for JSON records from the peer's current model, behind
 * the admin credentials. The body is read whole and checked against {@link #MAX_BODY_BYTES} and
 * {@link #MAX_RECORDS} before any prediction; the predictor is rebuilt only when the peer's model changes (after
 * a round). Requests are answered one at a time per model (the predictor owns its buffers).
 */
@Controller("/api")
@Secured(SecurityRule.IS_AUTHENTICATED)
@SecurityRequirement(name = "basicAuth")
public class PredictionController {
  /** Largest request body, in bytes: 8 MiB, about 10,000 records of 50 columns. */
  public static final int MAX_BODY_BYTES = 8 << 20;
  /** Most records in one request. */
  public static final int MAX_RECORDS = 10_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private final PeerNode node;
  private volatile Loaded loaded;

  private record Loaded(byte[] bytes, RecordPrediction prediction) {}

  public PredictionController(PeerNode node) {
    this.node = node;
  }

  /** The request: records in the order their predictions are answered. */
  @Schema(description = "Records to predict. A table model takes column → value (number, string or null for missing; an absent"
      + " column is missing too); an image model takes {\"image\": [C·H·W numbers in [0, 1], NCHW]}.")
  public record PredictRequest(
      @ArraySchema(maxItems = MAX_RECORDS, schema = @Schema(type = "object", additionalProperties = Schema.AdditionalPropertiesValue.TRUE))
      List<Map<String, Object>> records) {}

  /** One record's answer. */
  public record Prediction(@Schema(description = "The predicted class's name") String label,
                           @Schema(description = "The probability of each class, in the order of classes") List<Float> probabilities) {}

  /** The answer: which model answered, its classes, and one prediction per record. */
  public record PredictResponse(String peerId, int round, List<String> classes, List<Prediction> predictions) {}

  @Post(value = "/predict", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "Labels and class probabilities for JSON records from the peer's current model (at most " + MAX_RECORDS
      + " records and " + (MAX_BODY_BYTES >> 20) + " MiB per request)",
      requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
          content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PredictRequest.class))),
      responses = {
          @ApiResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PredictResponse.class))),
          @ApiResponse(responseCode = "400", description = "A record that cannot be read, named by its index and column"),
          @ApiResponse(responseCode = "413", description = "More than " + MAX_RECORDS + " records or a body over " + (MAX_BODY_BYTES >> 20) + " MiB")})
  public HttpResponse<?> predict(@Body byte[] body) {
    if (body.length > MAX_BODY_BYTES) {
      return error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "The body has " + body.length + " bytes, more than the " + MAX_BODY_BYTES
          + " a prediction request may have; split the records into several requests.");
    }
    PredictRequest request;
    try {
      request = JSON.readValue(body, PredictRequest.class);
    } catch (java.io.IOException e) {
      String what = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      return error(HttpStatus.BAD_REQUEST, "The body is not a JSON object {\"records\": [...]} (" + what + ").");
    }
    if (request.records() == null) return error(HttpStatus.BAD_REQUEST, "The body has no \"records\" list; send {\"records\": [{...}, ...]}.");
    if (request.records().size() > MAX_RECORDS) {
      return error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "The request has " + request.records().size() + " records, more than the "
          + MAX_RECORDS + " one request may have; split them into several requests.");
    }
    RecordPrediction p = current();
    List<RecordPrediction.Prediction> got;
    try {
      got = p.predict(request.records());
    } catch (IllegalArgumentException e) {
      return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    List<Prediction> out = new ArrayList<>(got.size());
    for (RecordPrediction.Prediction g : got) {
      List<Float> probabilities = new ArrayList<>(g.probabilities().length);
      for (float f : g.probabilities()) probabilities.add(f);
      out.add(new Prediction(g.label(), probabilities));
    }
    var provenance = p.model().provenance();
    return HttpResponse.ok(new PredictResponse(provenance.peerId(), provenance.round(), p.classes(), out));
  }

  private RecordPrediction current() {
    byte[] bytes = node.packedModel();
    Loaded l = loaded;
    if (l == null || l.bytes() != bytes) {
      l = new Loaded(bytes, new RecordPrediction(PackedModel.fromBytes(bytes, "the peer's current model"), "the peer's current model"));
      loaded = l;
    }
    return l.prediction();
  }

  private static HttpResponse<Map<String, String>> error(HttpStatus status, String sentence) {
    return HttpResponse.<Map<String, String>>status(status).body(Map.of("error", sentence));
  }
}
