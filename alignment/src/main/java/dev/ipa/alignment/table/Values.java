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
    int from = 0;
    int to = cell.length();
    while (from < to && Character.isWhitespace(cell.charAt(from))) from++;
    while (to > from && Character.isWhitespace(cell.charAt(to - 1))) to--;
    int n = to - from;
    if (n == 0) return true;
    if (n > 4) return false;
    char c = cell.charAt(from);
    // the hot path is a number: its first character rules every spelling out without allocating
    if (c != 'n' && c != 'N' && c != '?') return false;
    return MISSING.contains(cell.substring(from, to).toLowerCase(Locale.ROOT));
  }

  /**
   * The cell as a finite number, or NaN when it is not one (infinity counts as not a number: it cannot be
   * standardised). Accepts what {@link Double#parseDouble} accepts, surrounding spaces included.
   */
  public static double parse(String cell) {
    double fast = parsePlainDecimal(cell);
    if (!Double.isNaN(fast)) return fast;
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

  private static final double[] POW10 = new double[19];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  /**
   * A plain decimal ({@code -12.375}: optional sign, at most 15 digits, at most one point, nothing else) as the
   * double {@link Double#parseDouble} gives, or NaN when the cell is not of this form. Exact by Clinger's fast
   * path: the digits form an integer below 2^53 and the power of ten is exact, so one IEEE division rounds
   * correctly. Everything else (exponents, long mantissas, spaces) goes to {@code parseDouble}.
   */
  static double parsePlainDecimal(String s) {
    int n = s.length();
    int i = 0;
    boolean negative = false;
    if (n == 0) return Double.NaN;
    char c0 = s.charAt(0);
    if (c0 == '-' || c0 == '+') {
      negative = c0 == '-';
      i = 1;
    }
    long mantissa = 0;
    int digits = 0;
    int point = -1;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        if (++digits > 15) return Double.NaN;
        mantissa = mantissa * 10 + (c - '0');
      } else if (c == '.' && point < 0) {
        point = digits;
      } else {
        return Double.NaN;
      }
    }
    if (digits == 0) return Double.NaN;
    int fraction = point < 0 ? 0 : digits - point;
    double v = fraction == 0 ? mantissa : mantissa / POW10[fraction];
    return negative ? -v : v;
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
