package dev.ipa.sim.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes run results: JSON and CSV files and PNG line charts. Files are written atomically (temp + rename). */
public final class Reports {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Reports() {}

  public static ObjectMapper json() {
    return JSON;
  }

  /** Writes {@code value} as indented JSON to {@code file}. */
  public static void writeJson(Path file, Object value) {
    try {
      byte[] bytes = JSON.writeValueAsBytes(value);
      writeAtomically(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes a CSV file from a header and rows (values are written with toString; no quoting is needed for ours). */
  public static void writeCsv(Path file, List<String> header, List<List<Object>> rows) {
    StringBuilder b = new StringBuilder(String.join(",", header)).append('\n');
    for (List<Object> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) b.append(',');
        b.append(row.get(i));
      }
      b.append('\n');
    }
    writeAtomically(file, b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Writes {@code text} as UTF-8 to {@code file}. */
  public static void writeText(Path file, String text) {
    writeAtomically(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Draws one line per series (x values shared or per series) and saves it as a PNG.
   *
   * @param series name → [xs, ys]
   */
  public static void lineChart(Path file, String title, String xLabel, String yLabel, Map<String, double[][]> series) {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setPlotGridLinesVisible(true);
    // Fixed colours, so a "local-only X" baseline is drawn (dashed) in the colour of the series it belongs to.
    java.awt.Color[] palette = {new java.awt.Color(0x1f5fbf), new java.awt.Color(0xc0392b), new java.awt.Color(0x2e9d57),
        new java.awt.Color(0x7a3fb3), new java.awt.Color(0xc77800), new java.awt.Color(0x17a2b8), new java.awt.Color(0x6c757d),
        new java.awt.Color(0xd63384)};
    Map<String, java.awt.Color> colours = new java.util.HashMap<>();
    int[] next = {0}; // the next palette colour: only series of their own take one, baselines borrow their owner's
    series.forEach((name, xy) -> {
      String owner = name.startsWith("local-only ") ? name.substring("local-only ".length()) : null;
      java.awt.Color colour = owner == null ? null : colours.getOrDefault(owner, colours.get("peer " + owner));
      if (colour == null) colour = palette[next[0]++ % palette.length];
      colours.putIfAbsent(name, colour);
      double[] xs = xy[0];
      double[] ys = xy[1];
      if (xs.length == 0) return; // nothing to draw (XChart refuses an empty series); the tables carry the figures
      if (xs.length == 1) {
        // One value (a 1-epoch or 1-round run): a short level line reads as a result; a lone dot reads as a glitch.
        xs = new double[] {xs[0] - 0.25, xs[0] + 0.25};
        ys = new double[] {ys[0], ys[0]};
      }
      XYSeries s = chart.addSeries(name, xs, ys);
      s.setMarker(xs.length > 30 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
      s.setLineColor(colour);
      s.setMarkerColor(colour);
      if (name.startsWith("local-only")) s.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
    });
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp.png");
      BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void writeAtomically(Path file, byte[] bytes) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + file + ": " + e.getMessage(), e);
    }
  }

  /** A new run directory {@code base/<prefix>-yyyyMMdd-HHmmss} unless {@code out} is given. */
  public static Path runDirectory(String out, String prefix) {
    Path dir = out != null ? Path.of(out)
        : Path.of("runs", prefix + "-" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create the output directory " + dir + ": " + e.getMessage(), e);
    }
    return dir;
  }
}
