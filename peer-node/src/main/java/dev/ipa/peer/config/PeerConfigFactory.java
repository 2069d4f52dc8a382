package dev.ipa.peer.config;

import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.penalty.Weighting;
import dev.ipa.alignment.protocol.Algorithm;
import dev.ipa.alignment.protocol.CommonSettings;
import dev.ipa.alignment.protocol.EarlyStop;
import dev.ipa.alignment.protocol.FedProxSettings;
import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.alignment.protocol.IpaSettings;
import dev.ipa.alignment.protocol.Protocol;
import dev.ipa.alignment.protocol.Topology;
import dev.ipa.compression.CodecPolicy;
import dev.ipa.compression.CodecSpec;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.core.type.Argument;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Binds Micronaut's configuration (YAML file, environment variables such as {@code IPA_PEER_ID}, system
 * properties and {@code -ipa.peer.id=...} command-line overrides) to a {@link PeerConfig}. All checks live in the
 * records ({@link PeerConfig}, and {@link FederationSettings} with its parts {@link CommonSettings},
 * {@link IpaSettings} and {@link FedProxSettings}), so a file and a test building the records directly share one
 * validation path; this class only reads text and names the key when a value cannot be parsed (and, for the
 * staleness bound, when it is negative, in the sentence that key has always had).
 *
 * <p>Keys: {@code ipa.peer.*} for the daemon, {@code ipa.federation.*} for what all peers must agree on,
 * {@code ipa.admin.*} for the admin API. The README lists them all.
 */
@Factory
public final class PeerConfigFactory {

  @Singleton
  PeerConfig peerConfig(Environment env) {
    return fromEnvironment(env);
  }

  /** Reads and validates; throws {@link IllegalArgumentException} with one sentence on bad configuration. */
  public static PeerConfig fromEnvironment(Environment env) {
    Reader r = new Reader(env);
    Protocol protocol = r.parse("ipa.federation.protocol", r.string("ipa.federation.protocol", "parallel"), Protocol::parse);
    FederationSettings d = FederationSettings.defaults(protocol);
    String codec = r.string("ipa.federation.codec", "none");
    CodecSpec spec = r.parse("ipa.federation.codec", codec, CodecSpec::parse);
    FederationSettings settings;
    try {
      // Keys are read in the order they always were, so the first of several bad keys is the one reported.
      Algorithm algorithm = r.parse("ipa.federation.algorithm", r.string("ipa.federation.algorithm", "ipa"), Algorithm::parse);
      double lambda = r.number("ipa.federation.lambda", d.ipa().lambda());
      Distance distance = r.parse("ipa.federation.distance", r.string("ipa.federation.distance", d.ipa().distance().name().toLowerCase(java.util.Locale.ROOT)), Distance::parse);
      Weighting weighting = r.parse("ipa.federation.weighting", r.string("ipa.federation.weighting", "data-size"), Weighting::parse);
      boolean normalise = r.bool("ipa.federation.normalise", d.ipa().normalise());
      double extrapolate = r.number("ipa.federation.extrapolate", d.ipa().extrapolate());
      double mu = r.number("ipa.federation.mu", d.fedProx().mu());
      int syncs = (int) r.integer("ipa.federation.syncs", d.common().syncs());
      Topology topology = r.parse("ipa.federation.topology", r.string("ipa.federation.topology", "full"), Topology::parse);
      int rounds = (int) r.integer("ipa.federation.rounds", d.common().rounds());
      EarlyStop earlyStop = r.parse("ipa.federation.early-stop", r.string("ipa.federation.early-stop", "none"), EarlyStop::parse);
      Duration timeout = r.duration("ipa.federation.exchange-timeout", Duration.ofSeconds(60));
      CodecPolicy policy = spec.kind() == CodecSpec.Kind.NONE ? FederationSettings.fp32() : CodecPolicy.of(spec);
      long seed = r.integer("ipa.federation.seed", 0);
      double mix = r.number("ipa.federation.mix", d.ipa().mix());
      int staleness = r.stalenessBound("ipa.federation.staleness", 0);
      IpaSettings ipa = new IpaSettings(lambda, distance, weighting, normalise, extrapolate, mix);
      FedProxSettings fedProx = new FedProxSettings(mu);
      CommonSettings common = new CommonSettings(rounds, syncs, topology, earlyStop, timeout, policy, seed, protocol, staleness);
      settings = new FederationSettings(algorithm, common, ipa, fedProx);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith("ipa.") ? e.getMessage() : "ipa.federation: " + e.getMessage(), e);
    }
    String id = r.string("ipa.peer.id", null);
    String listen = r.string("ipa.peer.listen", null);
    if (listen == null) throw new IllegalArgumentException("ipa.peer.listen is missing; set it to host:port, e.g. 127.0.0.1:7001.");
    String tls = r.string("ipa.peer.tls-dir", null);
    String checkpoints = r.string("ipa.peer.checkpoint-dir", null);
    String partition = r.string("ipa.peer.partition", null);
    return new PeerConfig(
        r.string("ipa.peer.federation", "ipa"),
        id,
        PeerConfig.parseAddress(listen, "ipa.peer.listen address"),
        tls == null ? null : Path.of(tls),
        PeerConfig.parsePeers(env.getProperty("ipa.peer.peers", Argument.listOf(String.class)).orElse(List.of())),
        r.string("ipa.peer.data", null),
        partition == null || partition.isBlank() || partition.equalsIgnoreCase("none") ? null : partition,
        (int) r.integer("ipa.peer.shard-index", 0),
        (int) r.integer("ipa.peer.peers-in-partition", 0),
        r.string("ipa.peer.model", "mlp"),
        r.string("ipa.peer.weights", "float"),
        (int) r.integer("ipa.peer.batch", 50),
        r.number("ipa.peer.learning-rate", 1e-3),
        settings,
        checkpoints == null ? null : Path.of(checkpoints),
        (int) r.integer("ipa.peer.keep-checkpoints", 2),
        r.bool("ipa.peer.auto-start", true),
        r.string("ipa.admin.username", null),
        r.string("ipa.admin.password", null));
  }

  private record Reader(Environment env) {
    String string(String key, String fallback) {
      return env.getProperty(key, String.class).map(String::trim).orElse(fallback);
    }

    <T> T parse(String key, String text, Function<String, T> parser) {
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
      }
    }

    double number(String key, double fallback) {
      String s = string(key, null);
      if (s == null) return fallback;
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be a number, got '" + s + "'.");
      }
    }

    long integer(String key, long fallback) {
      String s = string(key, null);
      if (s == null) return fallback;
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be a whole number, got '" + s + "'.");
      }
    }

    boolean bool(String key, boolean fallback) {
      String s = string(key, null);
      if (s == null) return fallback;
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw new IllegalArgumentException(key + " must be true or false, got '" + s + "'.");
      };
    }

    /**
     * A staleness bound, ≥ 0 rounds. {@link CommonSettings} checks it too; this names the key in the one sentence
     * operators have always seen for it.
     */
    int stalenessBound(String key, int fallback) {
      long n = integer(key, fallback);
      if (n < 0) throw new IllegalArgumentException(key + " must be ≥ 0 rounds (0 = synchronous), got " + n + ".");
      return (int) n;
    }

    Duration duration(String key, Duration fallback) {
      String s = string(key, null);
      if (s == null) return fallback;
      try {
        if (s.matches("\\d+(\\.\\d+)?s")) return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        if (s.matches("\\d+ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        if (s.matches("\\d+m")) return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        return Duration.parse(s);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(key + " must be a duration such as 30s, 500ms, 5m or PT30S, got '" + s + "'.");
      }
    }
  }
}
