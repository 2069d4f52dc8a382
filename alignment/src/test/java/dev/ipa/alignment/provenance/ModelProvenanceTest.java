package dev.ipa.alignment.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipa.alignment.protocol.CommonSettings;
import dev.ipa.alignment.protocol.FederationSettings;
import dev.ipa.alignment.protocol.Protocol;
import dev.ipa.compression.CodecPolicy;
import dev.ipa.compression.CodecSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ModelProvenanceTest {

  @Test
  void federationSettingsAreOneEntryPerSettingWithTheSpellingsTheCommandLineAccepts() {
    FederationSettings d = FederationSettings.gradientForm();
    CommonSettings c = d.common();
    FederationSettings s = new FederationSettings(d.algorithm(), new CommonSettings(7, 12, c.topology(), c.earlyStop(), c.exchangeTimeout(),
        new CodecPolicy(CodecSpec.parse("tile:8"), 1024, CodecSpec.SIGN, CodecSpec.FP16, 5), 99, Protocol.PARALLEL, 2), d.ipa(), d.fedProx());
    Map<String, String> m = ModelProvenance.federationSettings(s);
    assertThat(m).containsEntry("federation.algorithm", "ipa").containsEntry("federation.protocol", "parallel")
        .containsEntry("federation.lambda", "0.1").containsEntry("federation.distance", "l1")
        .containsEntry("federation.peer-weights", "data-size").containsEntry("federation.normalise", "true")
        .containsEntry("federation.mix", "0.0").containsEntry("federation.syncs", "12").containsEntry("federation.rounds", "7")
        .containsEntry("federation.topology", c.topology().toString()).containsEntry("federation.staleness", "2")
        .containsEntry("compression.codec", "tile:8").containsEntry("compression.small-threshold", "1024")
        .containsEntry("compression.small-codec", "sign").containsEntry("compression.full-codec", "fp16")
        .containsEntry("compression.full-resync-every", "5");
    assertThat(m.values()).doesNotContain("99"); // the seed is a field of its own
    assertThat(List.copyOf(m.keySet())).isSorted();
  }

  @Test
  void mapsAreSortedCopiesThatNobodyCanChangeAfterwards() {
    TreeMap<String, String> settings = new TreeMap<>(Map.of("b", "2", "a", "1"));
    ModelProvenance p = new ModelProvenance("p", 3, 4, settings, "v", new TreeMap<>(Map.of("n", 5L)));
    settings.put("c", "3");
    assertThat(p.settings()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
    assertThatThrownBy(() -> p.settings().put("d", "4")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(p).isEqualTo(new ModelProvenance("p", 3, 4, new TreeMap<>(Map.of("a", "1", "b", "2")), "v", new TreeMap<>(Map.of("n", 5L))));
  }

  @Test
  void badProvenanceIsOneSentence() {
    assertThatThrownBy(() -> new ModelProvenance("p", -1, 0, new TreeMap<>(), "v", new TreeMap<>()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("The round must be ≥ 0, got -1.");
    String huge = "x".repeat(ModelProvenance.LIMIT + 1);
    assertThatThrownBy(() -> new ModelProvenance("p", 0, 0, new TreeMap<>(Map.of("k", huge)), "v", new TreeMap<>()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("The value of setting 'k' is longer than the 65535 UTF-8 bytes a provenance field holds; shorten it.");
  }

  @Test
  void aLegacySettingsTextIsKeptUnderItsOneName() {
    ModelProvenance p = ModelProvenance.fromSettingsText("p", 1, 2, "weights=binary epochs=5", "v");
    assertThat(p.settings()).containsExactly(Map.entry(ModelProvenance.LEGACY_SETTINGS, "weights=binary epochs=5"));
    assertThat(p.alignedTo()).isEmpty();
  }
}
