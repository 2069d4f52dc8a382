package dev.ipa.alignment.provenance;

import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.compression.CodecPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where a model came from: who trained it, when, from which seed, with which settings and code, and which
 * neighbour snapshots it aligned to (after Tribuo's {@code ModelProvenance}). One record for every place a model
 * is kept: the packed model file ({@code quant.PackedModelFormat}), a daemon's checkpoints and its
 * {@code /api/model}. Settings are structured, one entry per setting, so two models can be compared setting by
 * setting; {@link #federationSettings} is the one place that turns a {@link FederationSettings} into entries.
 *
 * <p>Immutable and safe to share between threads; the maps are sorted, unmodifiable copies.
 *
 * @param peerId      the peer that trained it ({@code local} for a single-machine run)
 * @param round       the federation round it was taken at, ≥ 0 (0 when trained without federation)
 * @param seed        initialisation and shuffling seed
 * @param settings    setting name → value, sorted by name (e.g. {@code federation.algorithm → ipa},
 *                    {@code compression.codec → sign}); a file written before settings were structured holds its
 *                    settings text under the one name {@value #LEGACY_SETTINGS}
 * @param codeVersion the build that produced it
 * @param alignedTo   neighbour peer id → {@code ViewHash} version of the last snapshot of it this peer held, sorted
 *                    by peer; empty when unknown (local training, files from before it was recorded)
 */
public record ModelProvenance(String peerId, int round, long seed, SortedMap<String, String> settings, String codeVersion,
    SortedMap<String, Long> alignedTo) {

  /** The setting name under which the settings text of a file from before structured settings is kept. */
  public static final String LEGACY_SETTINGS = "configuration";

  /** Longest name, value or id in UTF-8 bytes, and most entries per map: what the packed file's u16 counts hold. */
  public static final int LIMIT = 65535;

  public ModelProvenance {
    Objects.requireNonNull(peerId, "A provenance needs a peer id.");
    Objects.requireNonNull(settings, "A provenance needs its settings (an empty map if there are none).");
    Objects.requireNonNull(codeVersion, "A provenance needs a code version.");
    Objects.requireNonNull(alignedTo, "A provenance needs the snapshots it aligned to (an empty map if unknown).");
    if (round < 0) throw new IllegalArgumentException("The round must be ≥ 0, got " + round + ".");
    settings = Collections.unmodifiableSortedMap(new TreeMap<>(settings));
    alignedTo = Collections.unmodifiableSortedMap(new TreeMap<>(alignedTo));
    if (settings.size() > LIMIT || alignedTo.size() > LIMIT) {
      throw new IllegalArgumentException("A provenance holds at most " + LIMIT + " settings and " + LIMIT + " aligned snapshots.");
    }
    requireFits("The peer id", peerId);
    requireFits("The code version", codeVersion);
    settings.forEach((name, value) -> {
      requireFits("Setting name '" + name + "'", Objects.requireNonNull(name));
      requireFits("The value of setting '" + name + "'", Objects.requireNonNull(value, "Setting '" + name + "' has no value."));
    });
    alignedTo.forEach((peer, version) -> {
      requireFits("Neighbour id '" + peer + "'", peer);
      Objects.requireNonNull(version, "The snapshot version of neighbour '" + peer + "' is missing.");
    });
  }

  /** The provenance of a file written before settings were structured: its settings text under {@value #LEGACY_SETTINGS}. */
  public static ModelProvenance fromSettingsText(String peerId, int round, long seed, String settingsText, String codeVersion) {
    return new ModelProvenance(peerId, round, seed, new TreeMap<>(Map.of(LEGACY_SETTINGS, settingsText)), codeVersion, new TreeMap<>());
  }

  /**
   * The federation's settings as provenance entries: {@code federation.*} for the strategy, {@code compression.*}
   * for the exchange's codecs. The seed is not repeated here; it has its own field. This is the only function that
   * reads {@link FederationSettings} for provenance, so a change to that record is adapted here alone.
   */
  public static SortedMap<String, String> federationSettings(FederationSettings s) {
    SortedMap<String, String> m = new TreeMap<>();
    m.put("federation.algorithm", s.algorithm().id());
    m.put("federation.protocol", name(s.common().protocol()));
    m.put("federation.lambda", Double.toString(s.ipa().lambda()));
    m.put("federation.distance", name(s.ipa().distance()));
    m.put("federation.peer-weights", name(s.ipa().weighting()));
    m.put("federation.normalise", Boolean.toString(s.ipa().normalise()));
    m.put("federation.extrapolate", Double.toString(s.ipa().extrapolate()));
    m.put("federation.mu", Double.toString(s.fedProx().mu()));
    m.put("federation.mix", Double.toString(s.ipa().mix()));
    m.put("federation.syncs", Integer.toString(s.common().syncs()));
    m.put("federation.topology", s.common().topology().toString());
    m.put("federation.rounds", Integer.toString(s.common().rounds()));
    m.put("federation.early-stop", s.common().earlyStop().toString());
    m.put("federation.exchange-timeout", s.common().exchangeTimeout().toString());
    m.put("federation.staleness", Integer.toString(s.common().staleness()));
    CodecPolicy c = s.common().codec();
    m.put("compression.codec", c.codec().toString());
    m.put("compression.small-threshold", Integer.toString(c.smallTensorThreshold()));
    m.put("compression.small-codec", c.smallTensorCodec().toString());
    m.put("compression.full-codec", c.fullSnapshotCodec().toString());
    m.put("compression.full-resync-every", Integer.toString(c.fullResyncEvery()));
    return m;
  }

  private static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static void requireFits(String what, String s) {
    if (s.getBytes(StandardCharsets.UTF_8).length > LIMIT) {
      throw new IllegalArgumentException(what + " is longer than the " + LIMIT + " UTF-8 bytes a provenance field holds; shorten it.");
    }
  }
}
