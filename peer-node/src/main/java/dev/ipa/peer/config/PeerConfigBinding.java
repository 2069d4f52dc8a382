package dev.ipa.peer.config;

import dev.ipa.alignment.data.ImageFolder;
import dev.ipa.alignment.model.Metric;
import dev.ipa.alignment.penalty.Distance;
import dev.ipa.alignment.train.ClassWeighting;
import dev.ipa.alignment.penalty.Weighting;
import dev.ipa.alignment.protocol.Algorithm;
import dev.ipa.alignment.protocol.CommonSettings;
import dev.ipa.alignment.protocol.EarlyStop;
import dev.ipa.alignment.protocol.FedProxSettings;
import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.alignment.protocol.DpSettings;
import dev.ipa.alignment.protocol.GaussianDpAccountant;
import dev.ipa.alignment.protocol.PersonalSettings;
import dev.ipa.alignment.protocol.RobustSettings;
import dev.ipa.alignment.protocol.IpaSettings;
import dev.ipa.alignment.protocol.Protocol;
import dev.ipa.alignment.protocol.Topology;
import dev.ipa.compression.CodecPolicy;
import dev.ipa.compression.CodecSpec;
import dev.ipa.peer.config.ConfigurationFiles.AdminProperties;
import dev.ipa.peer.config.ConfigurationFiles.DpProperties;
import dev.ipa.peer.config.ConfigurationFiles.RobustProperties;
import dev.ipa.peer.config.ConfigurationFiles.FederationProperties;
import dev.ipa.peer.config.ConfigurationFiles.PeerProperties;
import dev.ipa.peer.config.ConfigurationFiles.TransportProperties;
import dev.ipa.transport.netty.NettyTransportConfig;
import dev.ipa.transport.tls.TlsProvider;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Turns what Micronaut bound ({@link ConfigurationFiles}) into the validated {@link PeerConfig}, and a
 * {@link PeerConfig} back into the YAML file that configures it. Both directions go through the same records, so
 * a key is named in exactly one place (a record component) and a default in exactly one place (the domain
 * record's defaults); {@code ./ipa demo} writes its peers' files with {@link #toYaml}.
 *
 * <p>Pure functions; thread-safe.
 */
public final class PeerConfigBinding {
  private PeerConfigBinding() {}

  /**
   * The validated configuration.
   *
   * @throws IllegalArgumentException one sentence naming the key, if a value is missing, malformed or invalid
   */
  public static PeerConfig toConfig(PeerProperties p, FederationProperties f, AdminProperties a, TransportProperties t) {
    return toConfig(p, f, new RobustProperties(null, null, null, null, null, null, null), new DpProperties(null, null, null, null, null), a, t);
  }

  /** The validated configuration, with the defences and differential privacy configured too. */
  public static PeerConfig toConfig(PeerProperties p, FederationProperties f, RobustProperties r, DpProperties dp, AdminProperties a,
      TransportProperties t) {
    FederationSettings base = federation(f);
    FederationSettings settings = base.with(robust(r)).with(dp(dp, base.common().rounds() * base.common().syncs())).with(personal(p));
    if (p.listen() == null) throw new IllegalArgumentException("ipa.peer.listen is missing; set it to host:port, e.g. 127.0.0.1:7001.");
    PeerConfig.Defaults d = PeerConfig.DEFAULTS;
    String partition = p.partition();
    return new PeerConfig(
        or(p.federation(), d.federation()),
        p.id(),
        PeerConfig.parseAddress(p.listen().trim(), "ipa.peer.listen address"),
        p.tlsDir() == null ? null : Path.of(p.tlsDir().trim()),
        PeerConfig.parsePeers(p.peers() == null ? List.of() : p.peers()),
        p.data() == null ? null : p.data().trim(),
        partition == null || partition.isBlank() || partition.trim().equalsIgnoreCase("none") ? null : partition.trim(),
        or(p.shardIndex(), d.shardIndex()),
        or(p.peersInPartition(), d.peersInPartition()),
        or(p.model(), d.model()),
        or(p.weights(), d.weights()),
        or(p.batch(), d.batch()),
        or(p.learningRate(), d.learningRate()),
        settings,
        p.checkpointDir() == null ? null : Path.of(p.checkpointDir().trim()),
        or(p.keepCheckpoints(), d.keepCheckpoints()),
        or(p.autoStart(), d.autoStart()),
        a.username() == null ? null : a.username().trim(),
        a.password(),
        t,
        imageOptions(p),
        parse("ipa.peer.class-weights", p.classWeights(), ClassWeighting::parse, () -> ClassWeighting.NONE),
        new PeerConfig.TableKeys(p.label() == null || p.label().isBlank() ? null : p.label().trim(),
            p.ignore() == null ? List.of() : p.ignore().stream().map(String::trim).filter(x -> !x.isEmpty()).toList(),
            or(p.testFraction(), PeerConfig.TableKeys.DEFAULTS.testFraction()),
            p.schema() == null || p.schema().isBlank() ? null : Path.of(p.schema().trim())));
  }

  /** {@code ipa.peer.image-size}, {@code ipa.peer.channels} and {@code ipa.peer.test-fraction}; unset keys keep the defaults. */
  private static ImageFolder.Options imageOptions(PeerProperties p) {
    ImageFolder.Options d = ImageFolder.Options.DEFAULTS;
    int[] size = parse("ipa.peer.image-size", p.imageSize(), ImageFolder.Options::parseSize, () -> new int[] {d.height(), d.width()});
    try {
      return new ImageFolder.Options(size[0], size[1], or(p.channels(), d.channels()), or(p.testFraction(), d.testFraction()), d.seed());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ipa.peer: " + e.getMessage(), e);
    }
  }

  /** The federation settings the keys describe; unset keys take the defaults of the configured protocol. */
  static FederationSettings federation(FederationProperties f) {
    Protocol protocol = parse("ipa.federation.protocol", f.protocol(), Protocol::parse, () -> Protocol.PARALLEL);
    FederationSettings d = FederationSettings.defaults(protocol);
    CommonSettings c = d.common();
    IpaSettings i = d.ipa();
    if (f.staleness() != null && f.staleness() < 0) {
      throw new IllegalArgumentException("ipa.federation.staleness must be ≥ 0 rounds (0 = synchronous), got " + f.staleness() + ".");
    }
    try {
      Algorithm algorithm = parse("ipa.federation.algorithm", f.algorithm(), Algorithm::parse, d::algorithm);
      if (!algorithm.daemonSupported()) {
        throw new IllegalArgumentException("ipa.federation.algorithm: " + algorithm.id() + " is a simulation baseline whose second model"
            + " a checkpoint does not hold; a daemon runs ipa, fedavg, fedprox or local (compare with ./ipa simulate --compare).");
      }
      IpaSettings ipa = new IpaSettings(or(f.lambda(), i.lambda()),
          parse("ipa.federation.distance", f.distance(), Distance::parse, i::distance),
          parse("ipa.federation.weighting", f.weighting(), Weighting::parse, i::weighting),
          or(f.normalise(), i.normalise()), or(f.extrapolate(), i.extrapolate()), or(f.mix(), i.mix()), or(f.fairShare(), i.fairShare()));
      FedProxSettings fedProx = new FedProxSettings(or(f.mu(), d.fedProx().mu()));
      // ipa.federation.metric is what early stopping watches, the same as early-stop's metric:M.
      EarlyStop earlyStop = parse("ipa.federation.early-stop", f.earlyStop(), EarlyStop::parse, c::earlyStop);
      if (f.metric() != null) earlyStop = earlyStop.watching(parse("ipa.federation.metric", f.metric(), Metric::parse, () -> null));
      CommonSettings common = new CommonSettings(or(f.rounds(), c.rounds()), or(f.syncs(), c.syncs()),
          parse("ipa.federation.topology", f.topology(), Topology::parse, c::topology),
          earlyStop,
          or(f.exchangeTimeout(), c.exchangeTimeout()),
          parse("ipa.federation.codec", f.codec(), text -> codecPolicy(CodecSpec.parse(text)), c::codec),
          or(f.seed(), c.seed()), protocol, or(f.staleness(), c.staleness()));
      return new FederationSettings(algorithm, common, ipa, fedProx);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith("ipa.") ? e.getMessage() : "ipa.federation: " + e.getMessage(), e);
    }
  }

  /**
   * {@code ipa.peer.personal-model} ({@code best}, the default, {@code fine-tuned} or {@code theta}) and
   * {@code ipa.peer.fine-tune-epochs}: how this peer makes the personal model it evaluates and serves.
   */
  static PersonalSettings personal(PeerProperties p) {
    PersonalSettings d = PersonalSettings.defaults();
    PersonalSettings.IpaPersonal model = parse("ipa.peer.personal-model", p.personalModel(), PersonalSettings.IpaPersonal::parse, d::ipaPersonal);
    try {
      return new PersonalSettings(d.dittoLambda(), d.fineTuneSteps(), or(p.fineTuneEpochs(), d.fineTuneEpochs()), model);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ipa.peer.fine-tune-epochs must be ≥ 1, got " + p.fineTuneEpochs() + ".", e);
    }
  }

  /** The admin API's back-off after failed logins as {@code ipa.admin.login-*} configure it; unset keys keep the defaults. */
  public static LoginBackoff loginBackoff(AdminProperties a) {
    LoginBackoff d = LoginBackoff.DEFAULTS;
    return new LoginBackoff(or(a.loginFailures(), d.freeFailures()), or(a.loginBackoff(), d.base()), or(a.loginBackoffMax(), d.max()));
  }

  /** The defences {@code ipa.federation.robust.*} configure; unset keys keep the shipped ones. */
  static RobustSettings robust(RobustProperties r) {
    RobustSettings d = RobustSettings.defaults();
    Map<String, Integer> sizes = new java.util.TreeMap<>();
    for (String entry : r.dataSizes() == null ? List.<String>of() : r.dataSizes()) {
      String[] kv = entry.split("=", 2);
      try {
        if (kv.length != 2 || sizes.put(kv[0].trim(), Integer.parseInt(kv[1].trim())) != null) throw new NumberFormatException();
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("ipa.federation.robust.data-sizes entry '" + entry + "' must be peer=samples, each peer once, e.g. a=12000.");
      }
    }
    try {
      return new RobustSettings(or(r.enabled(), d.enabled()), or(r.stopQuorum(), d.stopQuorum()), or(r.clipFactor(), d.clipFactor()),
          or(r.trim(), d.trim()), or(r.trustFactor(), d.trustFactor()), or(r.maxDataSize(), d.maxDataSize()), sizes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ipa.federation.robust: " + e.getMessage(), e);
    }
  }

  /** Differential privacy as {@code ipa.federation.dp.*} configures it, for {@code releases} planned releases. */
  static DpSettings dp(DpProperties p, int releases) {
    DpSettings none = DpSettings.none();
    try {
      if (p.epsilon() != null) {
        if (p.sigma() != null) throw new IllegalArgumentException("set either sigma or epsilon, not both: epsilon calibrates sigma.");
        double delta = or(p.delta(), none.delta());
        double clip = or(p.clip(), 1.0);
        return new DpSettings(clip, GaussianDpAccountant.calibrateSigma(p.epsilon(), delta, releases), delta, p.epsilon());
      }
      if (p.clip() == null && p.sigma() == null) return none;
      if (p.clip() == null || p.sigma() == null) throw new IllegalArgumentException("set both clip and sigma, or epsilon.");
      return new DpSettings(p.clip(), p.sigma(), or(p.delta(), none.delta()), or(p.budget(), none.budget()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ipa.federation.dp: " + e.getMessage(), e);
    }
  }

  /** The keys that configure {@code r}, as a file would hold them. */
  static RobustProperties properties(RobustSettings r) {
    List<String> sizes = new ArrayList<>();
    r.dataSizes().forEach((peer, n) -> sizes.add(peer + "=" + n));
    return new RobustProperties(r.enabled(), r.stopQuorum(), r.clipFactor(), r.trim(), r.trustFactor(), r.maxDataSize(), sizes.isEmpty() ? null : sizes);
  }

  /** The keys that configure {@code d}: clip and sigma (and budget), which reproduce it exactly; none when off. */
  static DpProperties properties(DpSettings d) {
    if (!d.enabled()) return new DpProperties(null, null, null, null, null);
    return new DpProperties(d.clip(), d.sigma(), null, d.delta(), Double.isInfinite(d.budget()) ? null : d.budget());
  }

  /**
   * {@code base} with the {@code ipa.transport.*} limits, timers and TLS provider that were set; the others keep their
   * defaults.
   *
   * @throws IllegalArgumentException one sentence, prefixed with {@code ipa.transport}, if the result is invalid
   */
  public static NettyTransportConfig tuned(NettyTransportConfig base, TransportProperties t) {
    try {
      return base
          .withLimits(or(t.maxFrameBytes(), base.maxFrameBytes()), or(t.chunkBytes(), base.chunkBytes()),
              or(t.maxSnapshotBytes(), base.maxSnapshotBytes()), or(t.maxQueuedSnapshots(), base.maxQueuedSnapshots()),
              or(t.maxSpareBytes(), base.maxSpareBytes()))
          .withTimeouts(or(t.progressTimeout(), base.progressTimeout()), or(t.heartbeatInterval(), base.heartbeatInterval()),
              or(t.deadAfter(), base.deadAfter()), or(t.reconnectBase(), base.reconnectBase()), or(t.reconnectMax(), base.reconnectMax()))
          .withTlsProvider(t.tlsProvider() == null ? base.tlsProvider() : TlsProvider.parse(t.tlsProvider()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ipa.transport: " + e.getMessage(), e);
    }
  }

  /** The codec policy the key {@code ipa.federation.codec: SPEC} configures. */
  public static CodecPolicy codecPolicy(String spec) {
    return codecPolicy(CodecSpec.parse(spec));
  }

  private static CodecPolicy codecPolicy(CodecSpec spec) {
    return spec.kind() == CodecSpec.Kind.NONE ? FederationSettings.fp32() : CodecPolicy.of(spec);
  }

  /** The keys that configure {@code settings}, as a file would hold them. */
  static FederationProperties properties(FederationSettings s) {
    CommonSettings c = s.common();
    IpaSettings i = s.ipa();
    return new FederationProperties(s.algorithm().id(), c.protocol().name().toLowerCase(Locale.ROOT), i.lambda(),
        i.distance().name().toLowerCase(Locale.ROOT), i.weighting() == Weighting.DATA_SIZE ? "data-size" : "uniform",
        i.normalise(), i.extrapolate(), i.mix(), s.fedProx().mu(), c.syncs(), c.staleness(), c.topology().toString(),
        c.rounds(), c.earlyStop().toString(), c.exchangeTimeout(), c.codec().codec().toString(), c.seed(), null, // the metric is in early-stop's text
        i.fairShare() ? true : null);
  }

  /**
   * {@code ipa.federation.*} keys that each peer may set for itself: how long it waits at an exchange changes only
   * when it goes on without a late neighbour. Every other {@code ipa.federation.*} key must be equal on every peer.
   */
  static final Set<String> PER_PEER_FEDERATION_KEYS = Set.of("ipa.federation.exchange-timeout");

  /**
   * The settings every peer of the federation must share, as configuration key → value in the spelling a written
   * file uses: every {@code ipa.federation.*} key but the {@link #PER_PEER_FEDERATION_KEYS} (algorithm, protocol,
   * λ, distance, weighting, normalise, extrapolate, mix, μ, rounds, syncs, staleness, topology, early stop, codec
   * and seed, which draws the initial weights, the random topology and the partition), and, when the peers cut one
   * data set into shards, {@code ipa.peer.partition} and {@code ipa.peer.peers-in-partition}. The transport sends
   * them in its Hello and refuses a peer whose list differs, naming the first differing key.
   *
   * <p>Per peer, and so not here: {@code ipa.federation.robust.*} (the defences change only what a peer does with
   * what it receives), {@code ipa.federation.dp.*} (each organisation decides how much its own updates reveal),
   * the exchange timeout, and every other {@code ipa.peer.*} key (data, shard index, batch, learning rate, weight
   * mode; the model itself is compared by its fingerprint).
   */
  public static SortedMap<String, String> sharedSettings(PeerConfig c) {
    SortedMap<String, String> out = new TreeMap<>();
    String prefix = ConfigurationFiles.prefixOf(FederationProperties.class);
    keys(properties(c.settings())).forEach((key, value) -> out.put(prefix + "." + key, String.valueOf(value)));
    out.keySet().removeAll(PER_PEER_FEDERATION_KEYS);
    if (c.partition() != null) {
      out.put("ipa.peer.partition", c.partition());
      out.put("ipa.peer.peers-in-partition", String.valueOf(c.peersInPartition()));
    }
    return out;
  }

  /** The keys that configure {@code c}, as a file would hold them. */
  static PeerProperties properties(PeerConfig c) {
    List<String> peers = new ArrayList<>();
    c.peers().forEach((id, address) -> peers.add(id + "=" + hostPort(address)));
    return new PeerProperties(c.federation(), c.id(), hostPort(c.listen()), c.tlsDir().toString(), peers, c.data(),
        c.partition(), c.shardIndex(), c.peersInPartition(), c.model(), c.weights(), c.batch(), c.learningRate(),
        c.checkpointDir().toString(), c.keepCheckpoints(), c.autoStart(),
        c.imageOptions().height() == 0 ? null : c.imageOptions().height() + "x" + c.imageOptions().width(),
        c.imageOptions().channels() == 0 ? null : c.imageOptions().channels(), c.imageOptions().testFraction(), c.classWeighting().toString(),
        c.table().label(), c.table().ignore().isEmpty() ? null : c.table().ignore(),
        c.table().schema() == null ? null : c.table().schema().toString(),
        c.settings().personal().ipaPersonal().id(), c.settings().personal().fineTuneEpochs());
  }

  /**
   * The YAML file that configures {@code c} (the {@code ipa} tree), with {@code micronaut} settings (for example
   * the admin server's host and port) put first. Reading it back, with the admin password given apart, gives an
   * equal {@link PeerConfig}: the password is left out of the file on purpose.
   */
  public static String toYaml(PeerConfig c, Map<String, Object> micronaut) {
    Map<String, Object> ipa = new LinkedHashMap<>();
    List<Record> parts = List.of(properties(c), properties(c.settings()), properties(c.settings().robust()), properties(c.settings().dp()),
        // The password never goes into a written file: give it as IPA_ADMIN_PASSWORD (or -ipa.admin.password=).
        new AdminProperties(c.adminUsername(), null, null, null, null, null), c.transport());
    for (Record r : parts) {
      Map<String, Object> keys = keys(r);
      if (keys.isEmpty()) continue;
      // ipa.federation.robust.* nests under federation, as a hand-written file would.
      Map<String, Object> at = ipa;
      String[] path = ConfigurationFiles.prefixOf(r.getClass()).substring("ipa.".length()).split("\\.");
      for (int k = 0; k < path.length - 1; k++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> next = (Map<String, Object>) at.computeIfAbsent(path[k], x -> new LinkedHashMap<String, Object>());
        at = next;
      }
      at.put(path[path.length - 1], keys);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    if (!micronaut.isEmpty()) root.put("micronaut", micronaut);
    root.put("ipa", ipa);
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setIndent(2);
    return new Yaml(o).dump(root);
  }

  /**
   * Fails if a key is set but Micronaut could not convert its value, which it reports by leaving the component
   * null: {@code lambda: abc} must stop start-up, not quietly run with the default λ.
   *
   * @param raw the configured text of a full key, if the key is set
   * @throws IllegalArgumentException one sentence naming the key, its value and the type it needs
   */
  static void requireConverted(Record bound, Function<String, java.util.Optional<String>> raw) {
    String prefix = ConfigurationFiles.prefixOf(bound.getClass());
    for (RecordComponent rc : bound.getClass().getRecordComponents()) {
      Object v = value(bound, rc);
      if (v != null) continue;
      String key = prefix + "." + kebab(rc.getName());
      java.util.Optional<String> text = raw.apply(key);
      if (text.isPresent()) throw new IllegalArgumentException(key + " must be " + typeName(rc.getType()) + ", got '" + text.get() + "'.");
    }
  }

  /**
   * Fails on the first configured key under {@code ipa.} that no bound record reads: {@code lamda: 5} must stop
   * start-up rather than run with the default λ. Keys are compared in Micronaut's kebab-case form, so
   * {@code learningRate} and {@code learning-rate} are the same key.
   *
   * @param configured keys set in files, arguments and system properties (not the environment, whose variables
   *                   Micronaut spreads over many spellings)
   * @param known      every key a bound record reads
   * @throws IllegalArgumentException one sentence naming the key and the nearest known one
   */
  static void requireKnownKeys(Iterable<String> configured, java.util.Collection<String> known) {
    for (String raw : configured) {
      String key = normalised(raw);
      if (!key.startsWith("ipa.") || known.contains(key) || underOpenPrefix(key, known)) continue;
      String nearest = null;
      int best = Integer.MAX_VALUE;
      org.apache.commons.text.similarity.LevenshteinDistance distance = org.apache.commons.text.similarity.LevenshteinDistance.getDefaultInstance();
      for (String k : known) {
        int d = distance.apply(key, k);
        if (d < best) {
          best = d;
          nearest = k;
        }
      }
      throw new IllegalArgumentException("Unknown configuration key " + raw
          + (nearest != null && best <= Math.max(3, key.length() / 4) ? "; did you mean " + nearest + "?" : "; peer-node/README.md lists every key."));
    }
  }

  /** {@code ipa.peer.learningRate} and {@code ipa.peer.peers[0]} → {@code ipa.peer.learning-rate}, {@code ipa.peer.peers}. */
  private static String normalised(String key) {
    int bracket = key.indexOf('[');
    String k = bracket < 0 ? key : key.substring(0, bracket);
    StringBuilder out = new StringBuilder();
    for (String part : k.split("\\.")) out.append(out.length() == 0 ? "" : ".").append(kebab(part));
    return out.toString();
  }

  private static boolean underOpenPrefix(String key, java.util.Collection<String> known) {
    for (String k : known) if (k.endsWith(".*") && key.startsWith(k.substring(0, k.length() - 1))) return true;
    return false;
  }

  /**
   * Every key {@code type} reads under {@code prefix}: one per component of a record; for a bound class that is not
   * a record, whose properties this cannot list, {@code prefix.*} (any key below it).
   */
  static java.util.List<String> keysOf(Class<?> type, String prefix) {
    java.util.List<String> out = new ArrayList<>();
    if (!type.isRecord()) return List.of(prefix + ".*");
    for (RecordComponent rc : type.getRecordComponents()) out.add(prefix + "." + kebab(rc.getName()));
    return out;
  }

  private static String typeName(Class<?> type) {
    if (type == Integer.class || type == Long.class) return "a whole number";
    if (type == Double.class) return "a number";
    if (type == Boolean.class) return "true or false";
    if (type == java.time.Duration.class) return "a duration such as 30s, 500ms, 5m or PT30S";
    if (type == List.class) return "a list";
    return "text";
  }

  /** A bound record's set keys (kebab-case, as Micronaut reads them) and their values as a file writes them. */
  static Map<String, Object> keys(Record r) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent rc : r.getClass().getRecordComponents()) {
      Object v = value(r, rc);
      if (v == null) continue;
      if (v instanceof java.time.Duration d) v = d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
      out.put(kebab(rc.getName()), v);
    }
    return out;
  }

  private static Object value(Record r, RecordComponent rc) {
    try {
      return rc.getAccessor().invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot read " + rc.getName() + " of " + r.getClass().getSimpleName() + ".", e);
    }
  }

  /** {@code learningRate} → {@code learning-rate}: the key Micronaut binds to a record component. */
  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }

  private static <T> T parse(String key, String text, Function<String, T> parser, Supplier<T> fallback) {
    if (text == null) return fallback.get();
    try {
      return parser.apply(text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }
}
