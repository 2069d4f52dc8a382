package dev.ipa.sim.report;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table for the terminal, columns padded to their widest cell. Numbers are right-aligned. */
public final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... header) {
    this.header = List.of(header);
  }

  public Table row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) r.add(c == null ? "" : c.toString());
    rows.add(r);
    return this;
  }

  /** The column names. */
  public List<String> header() {
    return header;
  }

  /** The rows as added, each cell as text. */
  public List<List<String>> rows() {
    return java.util.Collections.unmodifiableList(rows);
  }

  @Override
  public String toString() {
    int[] w = new int[header.size()];
    for (int i = 0; i < w.length; i++) w[i] = header.get(i).length();
    for (List<String> r : rows) for (int i = 0; i < r.size() && i < w.length; i++) w[i] = Math.max(w[i], r.get(i).length());
    StringBuilder b = new StringBuilder();
    line(b, header, w);
    for (int i = 0; i < w.length; i++) b.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
    b.append('\n');
    for (List<String> r : rows) line(b, r, w);
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells, int[] w) {
    for (int i = 0; i < w.length; i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      boolean numeric = !c.isEmpty() && (Character.isDigit(c.charAt(0)) || c.charAt(0) == '-' || c.charAt(0) == '+') && c.matches("[-+0-9.,%x×e ]+");
      if (i > 0) b.append("  ");
      b.append(numeric ? " ".repeat(w[i] - c.length()) + c : c + " ".repeat(w[i] - c.length()));
    }
    b.append('\n');
  }
}
