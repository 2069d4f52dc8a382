package dev.ipa.sim.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A self-contained {@code report.html} for a run: headings, text, key/value lists, tables and the run's PNG charts
 * inlined as data URIs, so the file can be mailed or opened anywhere without the run directory or a network.
 * Built in order, then written once (atomically); not thread-safe.
 */
public final class HtmlReport {
  private final String title;
  private final StringBuilder body = new StringBuilder();

  public HtmlReport(String title) {
    this.title = title;
  }

  public HtmlReport heading(String text) {
    body.append("<h2>").append(escape(text)).append("</h2>\n");
    return this;
  }

  public HtmlReport paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
    return this;
  }

  /** A definition list, one entry per key; null values are shown as a dash. */
  public HtmlReport keyValues(Map<String, ?> entries) {
    body.append("<dl>\n");
    entries.forEach((k, v) -> body.append("<dt>").append(escape(k)).append("</dt><dd>").append(escape(v == null ? "–" : String.valueOf(v))).append("</dd>\n"));
    body.append("</dl>\n");
    return this;
  }

  public HtmlReport table(Table t) {
    body.append("<div class=\"scroll\"><table>\n<thead><tr>");
    for (String h : t.header()) body.append("<th>").append(escape(h)).append("</th>");
    body.append("</tr></thead>\n<tbody>\n");
    for (List<String> row : t.rows()) {
      body.append("<tr>");
      for (String c : row) body.append("<td>").append(escape(c)).append("</td>");
      body.append("</tr>\n");
    }
    body.append("</tbody></table></div>\n");
    return this;
  }

  /** The PNG at {@code png}, embedded in the page. */
  public HtmlReport image(Path png, String alt) {
    try {
      String data = Base64.getEncoder().encodeToString(Files.readAllBytes(png));
      body.append("<figure><img alt=\"").append(escape(alt)).append("\" src=\"data:image/png;base64,").append(data).append("\"><figcaption>")
          .append(escape(alt)).append("</figcaption></figure>\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the chart " + png + " for the HTML report: " + e.getMessage(), e);
    }
    return this;
  }

  /** The whole page as text. */
  public String html() {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>" + escape(title) + "</title>\n<style>\n"
        + "body{font:15px/1.45 system-ui,sans-serif;color:#1d2430;max-width:1000px;margin:0 auto;padding:12px 16px}"
        + "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}table{border-collapse:collapse;font-size:.9em}"
        + "th,td{padding:3px 10px;border-bottom:1px solid #d9dee6;text-align:left;white-space:nowrap}.scroll{overflow-x:auto}"
        + "dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}dt{color:#5d6675}dd{margin:0}"
        + "img{max-width:100%;height:auto;border:1px solid #d9dee6}figure{margin:0}figcaption{color:#5d6675;font-size:.85em}\n"
        + "</style></head><body>\n<h1>" + escape(title) + "</h1>\n" + body + "</body></html>\n";
  }

  /** Writes the page to {@code file} (temporary file, then rename). */
  public void write(Path file) {
    Reports.writeText(file, html());
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
