package dev.ipa.bench;

import dev.ipa.alignment.table.CsvTableReader;
import dev.ipa.alignment.table.Table;
import dev.ipa.alignment.table.TableEncoder;
import dev.ipa.alignment.table.TableSchema;
import dev.ipa.alignment.table.TableStatistics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;

/**
 * Parse + encode throughput of a generated table: {@code rows} rows of 20 columns (14 numeric with 5% missing
 * values in mixed spellings, 5 categorical of 3 to 40 values with some missing, one 3-class label), written as CSV
 * with some quoted fields. Measures reading the file into columns, the statistics, pooling and encoding, as a peer
 * does before round 0; and the peak heap over that span, beside the size of the encoded float matrix.
 */
public final class TableBenchmark {
  private TableBenchmark() {
  }

  /** What one run measured. */
  public record Result(long rows, long bytes, int width, double seconds, double readSeconds, long peakHeapBytes, long baseHeapBytes,
                       long matrixBytes) {
    public double rowsPerSecond() {
      return rows / seconds;
    }

    public double megabytesPerSecond() {
      return bytes / 1e6 / seconds;
    }
  }

  /** Writes the generated CSV to {@code file}; deterministic for a seed. */
  public static long generate(Path file, int rows, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    String[] missing = {"", "NA", "NaN", "?", "null"};
    int[] cardinality = {3, 7, 12, 25, 40};
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      StringBuilder h = new StringBuilder();
      for (int j = 0; j < 14; j++) h.append("x").append(j).append(',');
      for (int j = 0; j < 5; j++) h.append("c").append(j).append(',');
      w.write(h.append("label\n").toString());
      StringBuilder b = new StringBuilder(256);
      for (int i = 0; i < rows; i++) {
        b.setLength(0);
        double signal = 0;
        for (int j = 0; j < 14; j++) {
          if (r.nextInt(20) == 0) {
            b.append(missing[r.nextInt(missing.length)]);
          } else {
            double v = r.nextDouble() * 100 - 50;
            if (j < 3) signal += v;
            b.append(j % 2 == 0 ? String.valueOf(Math.round(v * 1000) / 1000.0) : String.valueOf((long) (v * 10)));
          }
          b.append(',');
        }
        for (int j = 0; j < 5; j++) {
          if (r.nextInt(25) == 0) b.append("NA");
          else if (j == 4) b.append("\"city ").append(r.nextInt(cardinality[j])).append(", region\"");
          else b.append("cat").append(r.nextInt(cardinality[j]));
          b.append(',');
        }
        b.append(signal > 20 ? "high" : signal < -20 ? "low" : "mid").append('\n');
        w.write(b.toString());
      }
    }
    return Files.size(file);
  }

  /** Reads, pools and encodes {@code file} once, measuring the time and the heap's peak. */
  public static Result run(Path file, long rows) {
    System.gc();
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP).toList();
    long base = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long t0 = System.nanoTime();
    Table t = CsvTableReader.read(file, Set.of(), Set.of("label"), Map.of());
    long t1 = System.nanoTime();
    TableStatistics stats = TableStatistics.of(t, t.allRows(), "label", Set.of());
    TableSchema schema = TableStatistics.pool(List.of(stats));
    TableEncoder.Encoded e = TableEncoder.encode("bench", t, t.allRows(), schema);
    long t2 = System.nanoTime();
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    long matrix = 4L * e.dataset().count() * e.dataset().featureSize();
    long bytes;
    try {
      bytes = Files.size(file);
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
    return new Result(t.rows(), bytes, schema.encodedWidth(), (t2 - t0) / 1e9, (t1 - t0) / 1e9, peak, base, matrix);
  }
}
