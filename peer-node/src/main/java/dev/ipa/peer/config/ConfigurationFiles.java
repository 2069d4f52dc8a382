package dev.ipa.peer.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;
import java.util.List;

/**
 * What a configuration file, the environment or {@code -key=value} arguments say, bound by Micronaut as typed
 * records, one per key prefix. A component named {@code learningRate} is the key {@code learning-rate}
 * ({@code IPA_PEER_LEARNING_RATE} in the environment). Every component is nullable: null means the key is not
 * set, and the default comes from the validated domain records ({@code FederationSettings.defaults()},
 * {@link PeerConfig#DEFAULTS}, {@code NettyTransportConfig}'s constants), so each default lives in one place.
 * {@link PeerConfigBinding} turns these into the validated {@link PeerConfig}, and writes them back as YAML.
 *
 * <p>Nothing here validates: a record's compact constructor downstream does, with one sentence naming the key.
 */
public final class ConfigurationFiles {
  private ConfigurationFiles() {}

  /** {@code ipa.peer.*}: this daemon. */
  @ConfigurationProperties("ipa.peer")
  public record PeerProperties(
      @Nullable String federation,
      @Nullable String id,
      @Nullable String listen,
      @Nullable String tlsDir,
      @Nullable List<String> peers,
      @Nullable String data,
      @Nullable String partition,
      @Nullable Integer shardIndex,
      @Nullable Integer peersInPartition,
      @Nullable String model,
      @Nullable String weights,
      @Nullable Integer batch,
      @Nullable Double learningRate,
      @Nullable String checkpointDir,
      @Nullable Integer keepCheckpoints,
      @Nullable Boolean autoStart,
      @Nullable String imageSize,
      @Nullable Integer channels,
      @Nullable Double testFraction,
      @Nullable String classWeights,
      @Nullable String label,
      @Nullable List<String> ignore,
      @Nullable String schema,
      @Nullable String personalModel,
      @Nullable Integer fineTuneEpochs) {}

  /** {@code ipa.federation.*}: what every peer of the federation must agree on. */
  @ConfigurationProperties("ipa.federation")
  public record FederationProperties(
      @Nullable String algorithm,
      @Nullable String protocol,
      @Nullable Double lambda,
      @Nullable String distance,
      @Nullable String weighting,
      @Nullable Boolean normalise,
      @Nullable Double extrapolate,
      @Nullable Double mix,
      @Nullable Double mu,
      @Nullable Integer syncs,
      @Nullable Integer staleness,
      @Nullable String topology,
      @Nullable Integer rounds,
      @Nullable String earlyStop,
      @Nullable Duration exchangeTimeout,
      @Nullable String codec,
      @Nullable Long seed,
      @Nullable String metric,
      @Nullable Boolean fairShare) {}

  /**
   * {@code ipa.federation.robust.*}: the defences against a dishonest neighbour (see {@code RobustSettings}); unset
   * keys keep the shipped defences, {@code enabled: false} turns them all off. {@code data-sizes} lists
   * {@code peer=samples} entries fixed at provisioning.
   */
  @ConfigurationProperties("ipa.federation.robust")
  public record RobustProperties(
      @Nullable Boolean enabled,
      @Nullable Integer stopQuorum,
      @Nullable Double clipFactor,
      @Nullable Double trim,
      @Nullable Double trustFactor,
      @Nullable Integer maxDataSize,
      @Nullable List<String> dataSizes) {}

  /**
   * {@code ipa.federation.dp.*}: differential privacy of the published updates (see {@code DpSettings}); off unless
   * {@code clip} and {@code sigma}, or {@code epsilon}, are set.
   */
  @ConfigurationProperties("ipa.federation.dp")
  public record DpProperties(
      @Nullable Double clip,
      @Nullable Double sigma,
      @Nullable Double epsilon,
      @Nullable Double delta,
      @Nullable Double budget) {}

  /**
   * {@code ipa.admin.*}: the admin API's credentials; {@code tls: true} for HTTPS on the admin port with the peer's
   * certificate files ({@code dev.ipa.peer.api.AdminTls}); the back-off after failed logins ({@link LoginBackoff}).
   */
  @ConfigurationProperties("ipa.admin")
  public record AdminProperties(@Nullable String username, @Nullable String password, @Nullable Boolean tls,
      @Nullable Integer loginFailures, @Nullable Duration loginBackoff, @Nullable Duration loginBackoffMax) {}

  /** {@code ipa.transport.*}: limits and timers of the Netty transport (see {@code NettyTransportConfig}). */
  @ConfigurationProperties("ipa.transport")
  public record TransportProperties(
      @Nullable Integer maxFrameBytes,
      @Nullable Integer chunkBytes,
      @Nullable Long maxSnapshotBytes,
      @Nullable Integer maxQueuedSnapshots,
      @Nullable Long maxSpareBytes,
      @Nullable Duration progressTimeout,
      @Nullable Duration heartbeatInterval,
      @Nullable Duration deadAfter,
      @Nullable Duration reconnectBase,
      @Nullable Duration reconnectMax,
      @Nullable String tlsProvider) {}

  /** The configuration prefix of each bound record, for messages and for writing files. */
  static String prefixOf(Class<?> type) {
    return type.getAnnotation(ConfigurationProperties.class).value();
  }

  /** Every bound record type, in the order a written file lists them. */
  static final List<Class<? extends Record>> TYPES =
      List.of(PeerProperties.class, FederationProperties.class, RobustProperties.class, DpProperties.class, AdminProperties.class,
          TransportProperties.class);
}
