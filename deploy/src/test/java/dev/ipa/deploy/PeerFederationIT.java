package dev.ipa.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end: three peer daemons in containers built from deploy/Dockerfile (on the registry-free local base
 * image), talking mutual TLS over a Docker network, driven and observed only through their admin APIs.
 *
 * <p>These tests need a Docker engine and fail, rather than skip, without one: .ci/run starts dockerd and
 * builds the base image first. Each scenario runs its own federation with disjoint class shards (peer a holds
 * four classes, b and c three each), so a peer alone cannot exceed 0.4 test accuracy.
 */
class PeerFederationIT {
  private static final List<String> PEERS = List.of("a", "b", "c");
  private static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s+at [\\w.$]+\\(");
  private static final Pattern ERROR_LINE = Pattern.compile("(?m)^\\S+ ERROR ");

  @TempDir Path work;

  private static Map<String, String> settings(int rounds, String exchangeTimeout) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("ipa.federation.rounds", String.valueOf(rounds));
    s.put("ipa.federation.exchange-timeout", exchangeTimeout);
    // Shards of three or four classes from the small embedded subset: IPA's gradient form, which suits them and keeps this test short.
    s.put("ipa.federation.lambda", "0.1");
    s.put("ipa.federation.distance", "l1");
    s.put("ipa.federation.mix", "0");
    s.put("ipa.federation.syncs", "1");
    return s;
  }

  @Test
  void federationCompletesBeatsLocalOnlyTrainingAndLogsNoErrors() throws Exception {
    int rounds = 8;
    Map<String, Double> federated = new LinkedHashMap<>();
    try (DockerFederation f = new DockerFederation("clean", PEERS, settings(rounds, "30s"), work.resolve("ipa")).start()) {
      f.startFederation();
      awaitAllDone(f, rounds, Duration.ofMinutes(6));
      for (String id : PEERS) {
        JsonNode status = f.status(id);
        assertThat(status.hasNonNull("error")).as("peer %s failed: %s", id, status.get("error")).isFalse();
        assertThat(roundNumbers(f.rounds(id))).as("rounds of %s", id).isEqualTo(range(rounds));
        for (JsonNode round : f.rounds(id)) {
          assertThat(round.get("failures")).as("peer %s round %s: every neighbour answered", id, round.get("round")).isEmpty();
        }
        // The consensus model is what the federation adds on the whole test set; the personal model (θ fine-tuned on
        // the peer's three or four classes) is measured on the peer's own held-out split.
        federated.put(id, status.get("consensusAccuracy").asDouble());
        assertThat(status.get("personalAccuracy").asDouble()).as("peer %s's personal accuracy on its own test split", id).isBetween(0.5, 1.0);
        String log = f.logs(id);
        assertThat(log).as("log of %s", id).contains("Peer " + id + " is done after round " + (rounds - 1));
        // The image's glibc loads netty-tcnative's BoringSSL, so peers do not fall back to the JDK's slower TLS.
        assertThat(log).as("log of %s", id).contains("TLS provider: OpenSSL (BoringSSL");
        assertThat(ERROR_LINE.matcher(log).find()).as("ERROR lines in the log of %s:\n%s", id, log).isFalse();
        assertThat(STACK_FRAME.matcher(log).find()).as("stack trace in the log of %s:\n%s", id, log).isFalse();
      }
    }

    // The same shards, seeds and rounds with the local-only algorithm: what each organisation gets alone.
    Map<String, String> local = settings(rounds, "30s");
    local.put("ipa.federation.algorithm", "local");
    Map<String, Double> alone = new LinkedHashMap<>();
    try (DockerFederation f = new DockerFederation("alone", PEERS, local, work.resolve("alone")).start()) {
      f.startFederation();
      awaitAllDone(f, rounds, Duration.ofMinutes(6));
      for (String id : PEERS) alone.put(id, f.status(id).get("accuracy").asDouble());
    }
    System.out.printf("test accuracy after %d rounds: federated (consensus) %s, local-only %s%n", rounds, federated, alone);
    for (String id : PEERS) {
      assertThat(federated.get(id)).as("peer %s: federated %s vs local-only %s", id, federated, alone).isGreaterThan(alone.get(id));
    }
  }

  @Test
  void aPeerStoppedMidFederationResumesFromItsVolumeWithContiguousHistory() throws Exception {
    int rounds = 12;
    try (DockerFederation f = new DockerFederation("restart", PEERS, settings(rounds, "15s"), work).start()) {
      f.startFederation();
      f.await("peer b has finished round 2", Duration.ofMinutes(4), () -> f.status("b").get("round").asInt() >= 2);
      f.stopPeer("b");
      int stoppedAfter = -1;
      f.restartPeer("b");
      JsonNode restored = f.status("b");
      stoppedAfter = restored.get("round").asInt();
      assertThat(stoppedAfter).as("b restored its last checkpoint").isBetween(2, rounds - 2);
      assertThat(f.logs("b")).contains("resuming at round " + (stoppedAfter + 1));
      f.startFederation("b");
      awaitAllDone(f, rounds, Duration.ofMinutes(6));
      for (String id : PEERS) {
        assertThat(roundNumbers(f.rounds(id))).as("round history of %s: every round once, in order", id).isEqualTo(range(rounds));
        assertThat(f.status(id).hasNonNull("error")).as("peer %s failed: %s", id, f.status(id).get("error")).isFalse();
      }
      // b aligned with its neighbours again after the restart: its last round had every neighbour's snapshot.
      JsonNode bRounds = f.rounds("b");
      assertThat(bRounds.get(rounds - 1).get("failures")).as("b's last round").isEmpty();
    }
  }

  @Test
  void aPeerCutOffForThirtySecondsRejoinsWhileTheOthersKeepGoing() throws Exception {
    int rounds = 20;
    try (DockerFederation f = new DockerFederation("partition", PEERS, settings(rounds, "6s"), work).start()) {
      f.startFederation();
      f.await("every peer has finished round 1", Duration.ofMinutes(4),
          () -> PEERS.stream().allMatch(id -> f.status(id).get("round").asInt() >= 1));
      int aBefore = f.status("a").get("round").asInt();
      int bBefore = f.status("b").get("round").asInt();
      f.disconnect("c");
      Thread.sleep(30_000);
      int aDuring = f.status("a").get("round").asInt();
      int bDuring = f.status("b").get("round").asInt();
      f.reconnect("c");
      assertThat(aDuring).as("a kept going while c was cut off").isGreaterThan(aBefore);
      assertThat(bDuring).as("b kept going while c was cut off").isGreaterThan(bBefore);
      assertThat(aDuring).as("a has rounds left to show that c rejoined").isLessThan(rounds - 3);

      awaitAllDone(f, rounds, Duration.ofMinutes(6));
      JsonNode aRounds = f.rounds("a");
      List<Integer> missedC = new ArrayList<>();
      for (JsonNode r : aRounds) {
        if (r.get("failures").toString().contains("\"c:")) missedC.add(r.get("round").asInt());
      }
      assertThat(missedC).as("a counted c as a failure while it was cut off").isNotEmpty();
      // A neighbour whose snapshot arrived but that the trust gate left out ("suspected: ...") was heard from; only
      // the other failures (timeouts, unreachable) say that a neighbour was missing.
      assertThat(missing(aRounds.get(rounds - 1))).as("a's last round had c's snapshot again: c rejoined").isEmpty();
      assertThat(missing(f.rounds("c").get(rounds - 1))).as("c's last round had both neighbours").isEmpty();
      assertThat(roundNumbers(f.rounds("c"))).isEqualTo(range(rounds));
    }
  }

  private static void awaitAllDone(DockerFederation f, int rounds, Duration timeout) throws InterruptedException {
    f.await("every peer has run " + rounds + " rounds and stopped", timeout, () -> f.ids().stream().allMatch(id -> {
      JsonNode s = f.status(id);
      return s.get("round").asInt() == rounds - 1 && s.get("state").asText().equals("finished");
    }));
  }

  private static List<Integer> roundNumbers(JsonNode rounds) {
    List<Integer> out = new ArrayList<>();
    rounds.forEach(r -> out.add(r.get("round").asInt()));
    return out;
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(i);
    return out;
  }

  /** A round's failures other than the trust gate's: the neighbours whose snapshot did not arrive. */
  private static List<String> missing(JsonNode round) {
    List<String> missing = new ArrayList<>();
    for (JsonNode failure : round.get("failures")) {
      if (!failure.asText().contains("suspected:")) missing.add(failure.asText());
    }
    return missing;
  }
}
