package dev.ipa.alignment.table;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The rules every peer applies to cell text, so that they agree without talking: which spellings mean
 * "missing", what counts as a number, and the one sort order of category values and classes.
 */
public final class Values {
  /** Spellings of a missing value, compared after trimming and ignoring case: empty, NA, NaN, ?, null. */
  public static final Set<String> MISSING = Set.of("", "na", "nan", "?", "null");

  private Values() {
  }

  /** Whether {@code cell} spells a missing value. */
  public static boolean isMissing(String cell) {
    String t = cell.strip();
    if (t.length() > 4) return false;
    return MISSING.contains(t.toLowerCase(Locale.ROOT));
  }

  /**
   * The cell as a finite number, or NaN when it is not one (infinity counts as not a number: it cannot be
   * standardised). Accepts what {@link Double#parseDouble} accepts, surrounding spaces included.
   */
  public static double parse(String cell) {
    String t = cell.strip();
    if (t.isEmpty()) return Double.NaN;
    char c = t.charAt(0);
    if (!(c >= '0' && c <= '9') && c != '-' && c != '+' && c != '.') return Double.NaN;
    char last = t.charAt(t.length() - 1);
    if (!(last >= '0' && last <= '9') && last != '.') return Double.NaN; // rejects 1f, 1d, Infinity
    try {
      double d = Double.parseDouble(t);
      return Double.isFinite(d) ? d : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /**
   * The one order of categories and classes: numerically when every value is a number (so 2 sorts before
   * 10), otherwise by {@link String#compareTo} (UTF-16 code units). Ties between numerically equal spellings
   * ({@code 1} and {@code 1.0}) are broken by the string order, so the result is a total order.
   */
  public static List<String> sorted(Collection<String> values) {
    List<String> out = new ArrayList<>(values);
    boolean numeric = !out.isEmpty() && out.stream().noneMatch(v -> Double.isNaN(parse(v)));
    Comparator<String> byText = Comparator.naturalOrder();
    out.sort(numeric ? Comparator.<String>comparingDouble(Values::parse).thenComparing(byText) : byText);
    return out;
  }
}
