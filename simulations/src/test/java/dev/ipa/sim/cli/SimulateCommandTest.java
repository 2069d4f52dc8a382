package dev.ipa.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulateCommandTest {

  /** ε spent is in every report: the terminal table, report.json per peer and round, and rounds.csv. */
  @Test
  void differentialPrivacyReportsEpsilonSpentEverywhere(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "2", "--partition", "iid", "--rounds", "2", "--syncs", "1",
        "--no-standalone", "--dp", "clip:1,sigma:2,delta:1e-5", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    double two = dev.ipa.alignment.protocol.GaussianDpAccountant.epsilon(dev.ipa.alignment.protocol.GaussianDpAccountant.mu(2, 2), 1e-5);
    assertThat(run.out()).contains("ε spent").contains(String.format("%.4f", two));
    JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertThat(r.at("/rounds/1/peers/0/epsilon").asDouble()).isCloseTo(two, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(r.at("/rounds/0/peers/1/epsilon").asDouble()).isLessThan(two);
    List<String> csv = Files.readAllLines(dir.resolve("rounds.csv"));
    int column = List.of(csv.get(0).split(",")).indexOf("epsilon");
    assertThat(column).as("an epsilon column in " + csv.get(0)).isPositive();
    assertThat(Double.parseDouble(csv.get(csv.size() - 1).split(",")[column])).isCloseTo(two, org.assertj.core.api.Assertions.within(1e-12));
  }

  @Test
  void ipaOnTwoDisjointPeersWritesReportCsvAndPlot(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "2", "--partition", "disjoint", "--rounds", "2", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("standalone acc").contains("federated acc").contains("Pearson");
    JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertThat(r.at("/config/algorithms/0").asText()).isEqualTo("ipa");
    assertThat(r.at("/rounds")).hasSize(2);
    JsonNode peer = r.at("/rounds/1/peers/0");
    assertThat(peer.get("id").asText()).isEqualTo("peer0");
    assertThat(peer.get("accuracy").asDouble()).isBetween(0.3, 1.0);
    // The defaults exchange 4 times per epoch; each time a peer sends its one neighbour a full fp32 snapshot:
    // 4 bytes per parameter plus a header.
    assertThat(r.at("/config/syncs").asInt()).isEqualTo(4);
    assertThat(peer.get("bytesSent").asLong()).isBetween(4 * 4L * 199_210, 4 * (4L * 199_210 + 200));
    assertThat(r.at("/final/meanAccuracy").asDouble()).isGreaterThan(0.3);
    assertThat(r.at("/final/bytesSent").asLong()).isEqualTo(4 * peer.get("bytesSent").asLong());
    assertThat(r.at("/fairness/peers")).hasSize(2);
    assertThat(r.at("/fairness/peers/0/classes").toString()).isEqualTo("[0,1,2,3,4]");
    List<String> csv = Files.readAllLines(dir.resolve("rounds.csv"));
    assertThat(csv).hasSize(1 + 2 * 2);
    assertThat(csv.get(0)).startsWith("algorithm,round,peer,accuracy,personalAccuracy");
    assertThat(Files.readAllBytes(dir.resolve("accuracy.png"))).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    // report.html stands alone: the chart inline, the tables, a title naming data, partition and weights.
    String html = Files.readString(dir.resolve("report.html"));
    assertThat(html).contains("<title>Simulation: Fashion-MNIST (embedded subset), 2 peers, disjoint, weights float</title>")
        .contains("src=\"data:image/png;base64,iVBOR").contains("<th>standalone acc</th>").contains("<td>peer1</td>")
        .contains("Pearson").doesNotContain("src=\"http").doesNotContain("href=\"http");
    assertThat(run.out()).contains("report.html");
  }

  @Test
  void personalAccuracyIsEachPeersOwnLocalTestSplitAndTheMixWeightedFigureStaysBesideIt(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "2", "--partition", "disjoint", "--rounds", "1", "--algo", "local",
        "--no-standalone", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode peers = new ObjectMapper().readTree(dir.resolve("report.json").toFile()).at("/rounds/0/peers");
    for (JsonNode p : peers) {
      // Trained alone on 5 of 10 classes: at most half the global test set, most of its own held-out samples.
      assertThat(p.get("accuracy").asDouble()).as(p.toString()).isLessThanOrEqualTo(0.5);
      assertThat(p.get("personalAccuracy").asDouble()).as(p.toString()).isGreaterThan(0.6).isNotEqualTo(p.get("mixAccuracy").asDouble());
    }
    CliRun none = CliRun.of("simulate", "--data", "embedded", "--peers", "2", "--partition", "disjoint", "--rounds", "1", "--algo", "local",
        "--no-standalone", "--local-test", "0", "--out", dir.resolve("none").toString());
    assertThat(none.exitCode()).as(none.err()).isZero();
    for (JsonNode p : new ObjectMapper().readTree(dir.resolve("none/report.json").toFile()).at("/rounds/0/peers")) {
      assertThat(p.get("personalAccuracy").asDouble()).isEqualTo(p.get("mixAccuracy").asDouble());
    }
    CliRun bad = CliRun.of("simulate", "--data", "embedded", "--local-test", "0.95", "--out", dir.resolve("bad").toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("local test fraction (--local-test)").doesNotContain("\tat ");
  }

  @Test
  void contributionStopsFreezeSmallPeersEarlierOnASampleOfTheTrainingSet(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "3", "--partition", "power-law", "--rounds", "4", "--syncs", "1",
        "--train-samples", "900", "--early-stop", "contribution", "--no-standalone", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertThat(r.at("/config/earlyStop").asText()).isEqualTo("contribution");
    // Power law β = 1: shards of 900 in the ratio 1 : 1/2 : 1/3, so the peers earn 4, 2 and 2 of the 4 rounds; the
    // largest trains to the end and has no stop record.
    java.util.Map<String, Integer> froze = new java.util.TreeMap<>();
    for (JsonNode s : r.at("/stops")) {
      assertThat(s.get("reason").asText()).contains("of the largest peer's").contains("still serving its last snapshot");
      froze.put(s.get("peer").asText(), s.get("round").asInt());
    }
    assertThat(froze).isEqualTo(java.util.Map.of("peer1", 1, "peer2", 1));
    assertThat(r.at("/rounds/3/peers/2/frozen").asBoolean()).isTrue();
    assertThat(run.out()).contains("a stratified sample of 900 training samples");
  }

  /** PFLlib's personal figure pools every peer's local test samples; the mean personal accuracy weighs the peers the same. */
  @Test
  void thePooledPersonalAccuracyCountsEachPeerWithItsLocalTestSamples(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "3", "--partition", "power-law:2", "--rounds", "1", "--syncs", "1",
        "--algo", "local", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    double correct = 0;
    int samples = 0;
    for (JsonNode peer : r.at("/fairness/peers")) {
      correct += peer.get("federatedPersonalAccuracy").asDouble() * peer.get("testSize").asInt();
      samples += peer.get("testSize").asInt();
    }
    assertThat(r.at("/fairness/peers/0/testSize").asInt()).isGreaterThan(3 * r.at("/fairness/peers/2/testSize").asInt()); // sizes 1 : 1/4 : 1/9
    assertThat(r.at("/final/pooledPersonalAccuracy").asDouble()).isCloseTo(correct / samples, org.assertj.core.api.Assertions.within(1e-9))
        .isNotEqualTo(r.at("/final/meanPersonalAccuracy").asDouble());
  }

  /** class-number, as in CFFL: equal shards of 1, 5 and 10 classes, and --train-samples drawn so that all of them fit. */
  @Test
  void classNumberDealsEqualShardsOfNestedClassesFromASampleThatFitsThem(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "3", "--partition", "class-number", "--rounds", "1", "--syncs", "1",
        "--train-samples", "900", "--algo", "local", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("a sample of 900 training samples in the class mix of class-number's shards");
    JsonNode peers = new ObjectMapper().readTree(dir.resolve("report.json").toFile()).at("/fairness/peers");
    assertThat(peers).hasSize(3);
    int[] classes = {1, 5, 10};
    for (int p = 0; p < 3; p++) {
      JsonNode peer = peers.get(p);
      assertThat(peer.get("classes")).as("peer %d", p).hasSize(classes[p]);
      assertThat(peer.get("classes").get(classes[p] - 1).asInt()).isEqualTo(classes[p] - 1); // the first classes
      // 300 a peer, less its validation and local test splits (30 each)
      assertThat(peer.get("shardSize").asInt()).as("peer %d", p).isEqualTo(240);
    }
    assertThat(peers.get(0).get("standaloneAccuracy").asDouble()).isEqualTo(0.1); // one class of ten balanced test classes
  }

  /**
   * With sign deltas both peers of a pair mix the same two published views, so they hold the same consensus at
   * every round. Mixing each peer's exact θ with the other's sign view gave each its own consensus.
   */
  @Test
  void withSignDeltasBothPeersOfAPairHoldTheSameConsensus(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "2", "--partition", "disjoint", "--rounds", "3", "--codec", "sign",
        "--algo", "ipa", "--no-standalone", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertThat(r.at("/rounds")).hasSize(3);
    for (JsonNode round : r.at("/rounds")) {
      JsonNode a = round.at("/peers/0");
      JsonNode b = round.at("/peers/1");
      assertThat(a.get("consensusAccuracy").asDouble()).as("round %s", round.get("round")).isEqualTo(b.get("consensusAccuracy").asDouble());
    }
    // and it is a federated model: it knows both peers' classes, where each peer's own model knows half of them
    JsonNode last = r.at("/rounds/2/peers/0");
    assertThat(last.get("consensusAccuracy").asDouble()).isGreaterThan(last.get("accuracy").asDouble());
  }

  /** The fair share changes only what a peer keeps: θ's run, its bytes and the consensus are the same, bit for bit. */
  @Test
  void theFairShareLeavesThetaAndTheConsensusAsTheyAreWithoutIt(@TempDir Path dir) throws Exception {
    List<String> common = List.of("simulate", "--data", "embedded", "--peers", "3", "--partition", "power-law", "--rounds", "2", "--syncs", "2",
        "--train-samples", "900", "--algo", "ipa", "--no-standalone");
    JsonNode[] r = new JsonNode[2];
    for (int k = 0; k < 2; k++) {
      List<String> argv = new java.util.ArrayList<>(common);
      argv.addAll(List.of("--out", dir.resolve("run" + k).toString()));
      if (k == 1) argv.add("--fair-share");
      CliRun run = CliRun.of(argv.toArray(String[]::new));
      assertThat(run.exitCode()).as(run.err()).isZero();
      r[k] = new ObjectMapper().readTree(dir.resolve("run" + k).resolve("report.json").toFile());
    }
    assertThat(r[0].at("/config/fairShare").asBoolean()).isFalse();
    assertThat(r[1].at("/config/fairShare").asBoolean()).isTrue();
    for (int round = 0; round < 2; round++) {
      for (int p = 0; p < 3; p++) {
        String at = "/rounds/" + round + "/peers/" + p;
        for (String field : List.of("consensusAccuracy", "consensusPersonalAccuracy", "validationAccuracy", "trainLoss", "bytesSent")) {
          assertThat(r[1].at(at + "/" + field)).as("%s %s", at, field).isEqualTo(r[0].at(at + "/" + field));
        }
      }
    }
    boolean kept = false; // what the smaller peers keep is another model: the fair share of their federated one
    for (int p = 1; p < 3; p++) kept |= r[1].at("/rounds/1/peers/" + p + "/accuracy").asDouble() != r[0].at("/rounds/1/peers/" + p + "/accuracy").asDouble();
    assertThat(kept).isTrue();
  }

  @Test
  void compareRunsEveryAlgorithmOnTheSameShards(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "2", "--rounds", "1", "--compare", "ipa,fedavg,local", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertThat(r.at("/algorithms").size()).isEqualTo(3);
    assertThat(r.at("/algorithms/local/final/bytesSent").asLong()).isZero();
    assertThat(r.at("/algorithms/fedavg/final/bytesSent").asLong()).isPositive();
    // FedAvg in a full mesh with fp32 snapshots: both peers hold the same averaged model, so the same test accuracy.
    JsonNode fed = r.at("/algorithms/fedavg/rounds/0/peers");
    assertThat(Math.abs(fed.get(0).get("accuracy").asDouble() - fed.get(1).get("accuracy").asDouble())).isLessThan(0.02);
    assertThat(run.out()).contains("ipa").contains("fedavg").contains("local");
  }

  /**
   * --seeds runs everything per seed into seed-N and summarises: the summary's mean and sd are those of the
   * seeds' own reports, and different seeds are different runs.
   */
  @Test
  void seedsRunEachSeedAndSummariseMeanAndStandardDeviation(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "2", "--partition", "iid", "--rounds", "1", "--syncs", "1",
        "--compare", "ipa,fedavg", "--seeds", "3,5", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    ObjectMapper json = new ObjectMapper();
    double[][] mean = new double[2][];
    String[] algos = {"ipa", "fedavg"};
    int k = 0;
    for (String seed : new String[] {"3", "5"}) {
      JsonNode r = json.readTree(dir.resolve("seed-" + seed).resolve("report.json").toFile());
      assertThat(r.at("/config/seed").asLong()).isEqualTo(Long.parseLong(seed));
      mean[k++] = new double[] {r.at("/algorithms/ipa/final/meanAccuracy").asDouble(), r.at("/algorithms/fedavg/final/meanAccuracy").asDouble()};
    }
    assertThat(mean[0]).as("two seeds, two splits and initialisations").isNotEqualTo(mean[1]);
    JsonNode s = json.readTree(dir.resolve("summary.json").toFile());
    assertThat(s.at("/seeds").toString()).isEqualTo("[3,5]");
    for (int a = 0; a < 2; a++) {
      JsonNode f = s.at("/algorithms/" + algos[a] + "/mean accuracy");
      double m = (mean[0][a] + mean[1][a]) / 2;
      assertThat(f.get("mean").asDouble()).isCloseTo(m, org.assertj.core.api.Assertions.within(1e-12));
      assertThat(f.get("sd").asDouble()).isCloseTo(Math.abs(mean[0][a] - mean[1][a]) / Math.sqrt(2), org.assertj.core.api.Assertions.within(1e-12));
      assertThat(f.get("perSeed").get(1).asDouble()).isEqualTo(mean[1][a]);
    }
    // The local-only baseline ran per seed, so the fairness figures are there too.
    assertThat(s.at("/algorithms/ipa/fairness pearson/perSeed").size()).isEqualTo(2);
    assertThat(run.out()).contains("Over 2 seeds (3, 5), mean ± sample standard deviation").contains(" ± ");
    assertThat(dir.resolve("summary.csv")).exists();
    assertThat(dir.resolve("accuracy.png")).exists();
    assertThat(dir.resolve("report.html")).exists();
  }

  @Test
  void aRepeatedSeedIsRefusedWithAReason(@TempDir Path dir) {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--seeds", "1,1", "--out", dir.toString());
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("--seeds [1, 1] repeats a seed; give each seed once");
  }

  /**
   * Ditto's and FedAvg + fine-tuning's global models follow FedAvg exactly (own optimiser moments, the data cursor
   * put back), so their consensus equals FedAvg's model at every evaluated round, while their personal models
   * differ; IPA's consensus (the weighted mean of the latest views) is evaluated and differs from its own θ.
   */
  @Test
  void personalisationBaselinesKeepFedAvgsGlobalModelAndIpaHasAConsensus(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "3", "--partition", "dirichlet:0.3", "--rounds", "2", "--syncs", "2",
        "--compare", "ipa,fedavg,ditto,fedavg-ft", "--ditto-lambda", "0.5", "--no-standalone", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode r = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    boolean dittoDiffers = false;
    boolean ipaDiffers = false;
    for (int round = 0; round < 2; round++) {
      for (int p = 0; p < 3; p++) {
        String at = "/rounds/" + round + "/peers/" + p;
        double fedavg = r.at("/algorithms/fedavg" + at + "/accuracy").asDouble();
        assertThat(r.at("/algorithms/fedavg" + at + "/consensusAccuracy").asDouble()).isEqualTo(fedavg);
        assertThat(r.at("/algorithms/ditto" + at + "/consensusAccuracy").asDouble()).as("ditto's w, %s", at).isEqualTo(fedavg);
        assertThat(r.at("/algorithms/fedavg-ft" + at + "/consensusAccuracy").asDouble()).as("fedavg-ft's w, %s", at).isEqualTo(fedavg);
        dittoDiffers |= r.at("/algorithms/ditto" + at + "/accuracy").asDouble() != fedavg;
        ipaDiffers |= r.at("/algorithms/ipa" + at + "/consensusAccuracy").asDouble() != r.at("/algorithms/ipa" + at + "/accuracy").asDouble();
      }
    }
    assertThat(dittoDiffers).as("Ditto's personal models are not its global model").isTrue();
    assertThat(ipaDiffers).as("IPA's consensus is not its own model").isTrue();
    assertThat(r.at("/algorithms/ipa/final/meanConsensusAccuracy").isNumber()).isTrue();
    assertThat(Files.readAllLines(dir.resolve("rounds.csv")).get(0)).endsWith(",consensusAccuracy,consensusPersonalAccuracy,mixAccuracy");
    assertThat(run.out()).contains("consensus acc").contains("ditto").contains("fedavg-ft");
  }

  @Test
  void realSocketsGiveTheSameRunAsTheInMemoryNetwork(@TempDir Path dir) throws Exception {
    // Three peers so that every sender's delta stream has two receivers decoding it; sign deltas so that a
    // receiver that lost its base would ask for full snapshots and change the bytes sent.
    JsonNode[] reports = new JsonNode[2];
    String[] transports = {"memory", "loopback"};
    for (int i = 0; i < 2; i++) {
      Path out = dir.resolve(transports[i]);
      CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "3", "--partition", "disjoint", "--rounds", "2", "--codec", "sign",
          "--transport", transports[i], "--no-standalone", "--out", out.toString());
      assertThat(run.exitCode()).as(run.err()).isZero();
      reports[i] = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    }
    assertThat(reports[1].at("/rounds")).as("per-round accuracy and bytes over loopback").isEqualTo(reports[0].at("/rounds"));
    assertThat(reports[1].at("/final/bytesSent").asLong()).isEqualTo(reports[0].at("/final/bytesSent").asLong());
  }

  @Test
  void theRingProtocolDefaultsToTheGradientFormSinceItHasNoExchangeToMixAt(@TempDir Path dir) throws Exception {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "3", "--partition", "disjoint", "--rounds", "1", "--protocol", "ring",
        "--no-standalone", "--out", dir.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode config = new ObjectMapper().readTree(dir.resolve("report.json").toFile()).at("/config");
    assertThat(config.get("protocol").asText()).isEqualTo("ring");
    assertThat(config.get("mix").asDouble()).isZero();
    assertThat(config.get("lambda").asDouble()).isEqualTo(0.1);
    assertThat(config.get("distance").asText()).isEqualTo("l1");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--partition|zipf|Unknown partition",
      "--algo|fedsgd|Unknown algorithm 'fedsgd'",
      "--partition|dirichlet:0|α",
      "--lambda|-1|λ (--lambda) must be a finite number ≥ 0",
      "--mix|-0.5|The proximal step (--mix) must be a finite number ≥ 0",
      "--rounds|0|Rounds (--rounds) must be ≥ 1",
      "--codec|zip|unknown codec"})
  void badInputIsOneSentenceBeforeAnyTraining(String flag, String value, String message, @TempDir Path dir) {
    CliRun run = CliRun.of("simulate", "--data", "embedded", flag, value, "--out", dir.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).containsIgnoringCase(message).doesNotContain("\tat ");
    assertThat(dir.resolve("report.json")).doesNotExist();
  }

  @Test
  void moreDisjointPeersThanClassesIsRejected(@TempDir Path dir) {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "11", "--partition", "disjoint", "--out", dir.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("11").contains("classes");
  }

  @Test
  void anEmptyShardIsRejected(@TempDir Path dir) {
    CliRun run = CliRun.of("simulate", "--data", "embedded", "--peers", "50", "--partition", "dirichlet:0.001", "--out", dir.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("no training samples");
  }
}
