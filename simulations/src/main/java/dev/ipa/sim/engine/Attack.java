package dev.ipa.sim.engine;

import java.util.Locale;

/**
 * What a malicious simulated peer does ({@code --attack PEER=KIND}). Every attacker is authenticated like the
 * others; only the receivers' defences stand in its way.
 *
 * <ul>
 *   <li>{@code scale:F}: sends its parameters multiplied by F;</li>
 *   <li>{@code signflip}: sends 2·p − θ, its update reflected about p, the parameters it published last;</li>
 *   <li>{@code noise:S}: adds N(0, S²) to every parameter;</li>
 *   <li>{@code random}: sends N(0, 1) parameters;</li>
 *   <li>{@code labelflip}: trains on labels y → (y + 1) mod classes and sends what it learns;</li>
 *   <li>{@code stale}: replays its first snapshot forever;</li>
 *   <li>{@code weight:N}: claims N training samples for N(0, 1) parameters (the hostile test's claim: a lie
 *       about the weight is only harmful with a harmful snapshot behind it);</li>
 *   <li>{@code stop}: sends a STOP notice with every snapshot;</li>
 *   <li>{@code nan}: sends a well-formed, correctly checksummed snapshot holding NaN.</li>
 * </ul>
 *
 * @param kind  the attack
 * @param value its parameter (F, S or N; 0 when it has none)
 */
public record Attack(Kind kind, double value) {
  public enum Kind { SCALE, SIGNFLIP, NOISE, RANDOM, LABELFLIP, STALE, WEIGHT, STOP, NAN }

  /** Parses one KIND of the list above. */
  public static Attack parse(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    String[] kv = s.split(":", 2);
    try {
      Kind k = Kind.valueOf(kv[0].toUpperCase(Locale.ROOT));
      boolean needsValue = k == Kind.SCALE || k == Kind.NOISE || k == Kind.WEIGHT;
      if (needsValue != (kv.length == 2)) throw new IllegalArgumentException();
      double v = needsValue ? Double.parseDouble(kv[1]) : 0;
      if (needsValue && !(Double.isFinite(v) && v >= 0)) throw new IllegalArgumentException();
      return new Attack(k, v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Bad attack '" + spec + "'; use scale:F, signflip, noise:S, random, labelflip, stale, weight:N, stop or nan.");
    }
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + (value == 0 && kind != Kind.SCALE ? "" : ":" + (value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value)));
  }
}
