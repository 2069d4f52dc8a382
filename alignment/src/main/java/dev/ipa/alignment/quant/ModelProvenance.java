package dev.ipa.alignment.quant;

import java.util.Objects;

/**
 * Where a packed model came from, stored in the file next to its weights (after Tribuo's {@code ModelProvenance}).
 *
 * @param peerId        the silo that trained it ({@code local} for a single-machine run)
 * @param round         the federation round it was taken at (0 when trained without federation)
 * @param seed          initialisation and shuffling seed
 * @param configuration the run's configuration, e.g. {@code epochs=5 batch=50 lr=0.001 data=...}
 * @param codeVersion   the build that wrote it
 */
public record ModelProvenance(String peerId, int round, long seed, String configuration, String codeVersion) {
  public ModelProvenance {
    Objects.requireNonNull(peerId, "peerId");
    Objects.requireNonNull(configuration, "configuration");
    Objects.requireNonNull(codeVersion, "codeVersion");
    if (round < 0) throw new IllegalArgumentException("The round must be ≥ 0, got " + round + ".");
    for (String s : new String[] {peerId, configuration, codeVersion}) {
      if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 65535) {
        throw new IllegalArgumentException("A provenance string is limited to 65535 UTF-8 bytes.");
      }
    }
  }
}
