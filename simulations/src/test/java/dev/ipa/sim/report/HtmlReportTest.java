package dev.ipa.sim.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html stands alone: charts inline as data, tables as HTML, every text escaped. */
class HtmlReportTest {
  @Test
  void inlinesTheChartAndEscapesText(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("accuracy.png");
    Reports.lineChart(png, "one round", "round", "accuracy", Map.of("peer a", new double[][] {{1}, {0.5}}));
    Table t = new Table("peer", "note").row("a", "<script>&");
    Path out = dir.resolve("report.html");
    new HtmlReport("Run <1>").keyValues(Map.of("codec", "sign")).image(png, "Accuracy").table(t).write(out);

    String html = Files.readString(out);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>Run &lt;1&gt;</title>").contains("<dt>codec</dt><dd>sign</dd>")
        .contains("<th>peer</th>").contains("<td>&lt;script&gt;&amp;</td>").doesNotContain("<script>");
    String data = html.replaceAll("(?s).*src=\"data:image/png;base64,([^\"]+)\".*", "$1");
    assertThat(Base64.getDecoder().decode(data)).isEqualTo(Files.readAllBytes(png));
  }
}
