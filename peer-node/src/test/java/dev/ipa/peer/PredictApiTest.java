package dev.ipa.peer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipa.alignment.quant.PackedModel;
import dev.ipa.onnx.Predictor;
import dev.ipa.peer.api.PredictionController;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/predict} and {@code GET /api/model?format=onnx} on a real daemon (a peer alone, its initial model). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  ApplicationContext daemon;
  int http;
  float[][] images;

  @BeforeAll
  void startPeerAlone(@TempDir Path dir) throws Exception {
    TestPeers peers = new TestPeers(dir, List.of("a", "b"));
    http = TestPeers.freePort();
    daemon = PeerDaemon.start(TestPeers.args(peers.config("a", http)));
    SplittableRandom rng = new SplittableRandom(9);
    images = new float[5][784];
    for (float[] image : images) for (int i = 0; i < image.length; i++) image[i] = rng.nextInt(256) / 255f;
  }

  @AfterAll
  void stop() {
    if (daemon != null) daemon.close();
  }

  @Test
  void answersLabelsAndProbabilitiesAsThePlatformDoes() throws Exception {
    HttpResponse<String> r = post(records(images), TestPeers.USER, TestPeers.PASSWORD);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("peerId").asText()).isEqualTo("a");
    assertThat(body.get("classes")).hasSize(10);
    JsonNode predictions = body.get("predictions");
    assertThat(predictions).hasSize(images.length);

    PackedModel model = PackedModel.fromBytes(currentModel(""), "served");
    Predictor predictor = new Predictor(model);
    float[] x = new float[images.length * 784];
    for (int i = 0; i < images.length; i++) System.arraycopy(images[i], 0, x, i * 784, 784);
    int[] labels = new int[images.length];
    float[] p = new float[images.length * 10];
    predictor.predict(x, images.length, labels, p);
    for (int i = 0; i < images.length; i++) {
      assertThat(predictions.get(i).get("label").asText()).isEqualTo(Integer.toString(labels[i]));
      for (int c = 0; c < 10; c++) assertThat((float) predictions.get(i).get("probabilities").get(c).asDouble()).isEqualTo(p[i * 10 + c]);
    }
  }

  @Test
  void theOnnxModelServedAgreesWithTheEndpoint() throws Exception {
    byte[] onnx = currentModel("?format=onnx");
    JsonNode predictions = JSON.readTree(post(records(images), TestPeers.USER, TestPeers.PASSWORD).body()).get("predictions");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    float[] x = new float[images.length * 784];
    for (int i = 0; i < images.length; i++) System.arraycopy(images[i], 0, x, i * 784, 784);
    try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
         OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {images.length, 1, 28, 28});
         OrtSession.Result r = s.run(Map.of("image", t))) {
      String[] labels = (String[]) r.get("label").orElseThrow().getValue();
      float[][] p = (float[][]) r.get("probabilities").orElseThrow().getValue();
      for (int i = 0; i < images.length; i++) {
        assertThat(labels[i]).isEqualTo(predictions.get(i).get("label").asText());
        for (int c = 0; c < 10; c++) assertThat((double) p[i][c]).isCloseTo(predictions.get(i).get("probabilities").get(c).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
      }
      assertThat(s.getMetadata().getCustomMetadata()).containsEntry("ipa.peer", "a").containsKey("ipa.setting.federation.algorithm");
    }
    HttpResponse<String> unknown = TestPeers.get(http, "/api/model?format=pmml", TestPeers.USER, TestPeers.PASSWORD);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("Unknown format 'pmml'; use packed (the default) or onnx.");
  }

  @Test
  void needsTheAdminCredentials() throws Exception {
    assertThat(post(records(images), null, null).statusCode()).isEqualTo(401);
    assertThat(post(records(images), TestPeers.USER, "wrong").statusCode()).isEqualTo(401);
    assertThat(TestPeers.get(http, "/api/model?format=onnx", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void aBadRecordIsA400NamingIt() throws Exception {
    String body = "{\"records\": [{\"image\": " + JSON.writeValueAsString(images[0]) + "}, {\"image\": [0.5, 0.5]}]}";
    HttpResponse<String> r = post(body, TestPeers.USER, TestPeers.PASSWORD);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("Record 1: \"image\" holds 2 numbers but the model takes 784 (1×28×28).");
    HttpResponse<String> notJson = post("{\"records\": [", TestPeers.USER, TestPeers.PASSWORD);
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).contains("The body is not a JSON object {\\\"records\\\": [...]}");
  }

  @Test
  void tooManyRecordsOrTooLargeABodyIsA413() throws Exception {
    StringBuilder many = new StringBuilder("{\"records\": [");
    for (int i = 0; i <= PredictionController.MAX_RECORDS; i++) many.append(i == 0 ? "" : ",").append("{}");
    HttpResponse<String> r = post(many.append("]}").toString(), TestPeers.USER, TestPeers.PASSWORD);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("The request has 10001 records, more than the 10000 one request may have; split them into several requests.");
    String big = "{\"records\": [], \"pad\": \"" + "x".repeat(PredictionController.MAX_BODY_BYTES) + "\"}";
    HttpResponse<String> large = post(big, TestPeers.USER, TestPeers.PASSWORD);
    assertThat(large.statusCode()).isEqualTo(413);
  }

  @Test
  void theOpenApiDocumentDescribesTheRequestAndResponse() throws Exception {
    String spec = TestPeers.get(http, "/swagger/ipa-peer-0.1.yml", null, null).body();
    assertThat(spec).contains("/api/predict").contains("PredictRequest").contains("PredictResponse").contains("\"413\"");
  }

  private static String records(float[][] images) throws Exception {
    List<Map<String, Object>> records = new ArrayList<>();
    for (float[] image : images) records.add(Map.of("image", image));
    return JSON.writeValueAsString(Map.of("records", records));
  }

  private byte[] currentModel(String query) throws Exception {
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(auth(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/model" + query)).GET(),
        TestPeers.USER, TestPeers.PASSWORD).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private HttpResponse<String> post(String json, String user, String password) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/predict"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    return HttpClient.newHttpClient().send(auth(b, user, password).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder auth(HttpRequest.Builder b, String user, String password) {
    if (user != null) b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    return b;
  }
}
