package dev.ipa.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CodecSpecTest {
  @ParameterizedTest
  @ValueSource(strings = {"none", "fp16", "int8", "int8:100", "sign", "sign:128", "tile:8", "topk:0.01"})
  void parseAndToStringRoundTrip(String spec) {
    assertThat(CodecSpec.parse(spec).toString()).isEqualTo(spec);
    assertThat(Codecs.parse(spec).spec()).isEqualTo(CodecSpec.parse(spec));
  }

  @Test
  void parseIgnoresCaseAndBlanks() {
    assertThat(CodecSpec.parse("  TILE:4 ")).isEqualTo(CodecSpec.tile(4));
  }

  @Test
  void unknownCodecListsTheAcceptedOnes() {
    assertThatThrownBy(() -> CodecSpec.parse("x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown codec 'x'; use one of none, fp16, int8, sign, tile:P, topk:F.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tile", "tile:0", "tile:-1", "tile:x", "tile:5000", "topk", "topk:0", "topk:1.5",
      "topk:abc", "topk:NaN", "sign:10", "int8:0", "none:3", "fp16:1", ""})
  void badSpecsAreRejectedWithASentenceNamingThem(String spec) {
    assertThatThrownBy(() -> CodecSpec.parse(spec)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith(".")
        .satisfies(e -> assertThat(e.getMessage()).contains("'" + spec + "'").doesNotContain("null"));
  }

  @Test
  void wireRoundTripKeepsTheSpec() {
    for (String spec : new String[] {"none", "fp16", "int8:7", "sign", "sign:64", "tile:3"}) {
      CodecSpec s = CodecSpec.parse(spec);
      assertThat(CodecSpec.fromWire(s.kind().wireId(), s.wireParameter())).isEqualTo(s);
    }
    assertThat(CodecSpec.fromWire(99, 0)).isNull();
    assertThat(CodecSpec.fromWire(4, 0)).isNull();
  }

  @Test
  void policyValidatesEveryField() {
    assertThatThrownBy(() -> new CodecPolicy(CodecSpec.SIGN, -1, CodecSpec.FP16, CodecSpec.NONE, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold");
    assertThatThrownBy(() -> new CodecPolicy(CodecSpec.SIGN, 0, CodecSpec.FP16, CodecSpec.SIGN, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("full snapshot");
    assertThatThrownBy(() -> new CodecPolicy(CodecSpec.SIGN, 0, CodecSpec.FP16, CodecSpec.NONE, -2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fullResyncEvery");
    var policy = CodecPolicy.of(CodecSpec.tile(8));
    assertThat(policy.codecFor(1023)).isEqualTo(CodecSpec.FP16);
    assertThat(policy.codecFor(1024)).isEqualTo(CodecSpec.tile(8));
  }
}
