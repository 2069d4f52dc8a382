package dev.ipa.alignment.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes rows of a {@link Table} back as RFC 4180 CSV (commons-csv quotes what needs quoting): numbers as the
 * shortest text that reads back to the same float, categories as their text, missing cells empty. Used to hand
 * each demo daemon its own file; reading the file back gives the same table for those rows.
 */
public final class CsvTableWriter {
  private CsvTableWriter() {
  }

  public static void write(Table table, int[] rows, Path file) throws IOException {
    try (CSVPrinter out = new CSVPrinter(Files.newBufferedWriter(file), CSVFormat.RFC4180.builder().setRecordSeparator('\n').get())) {
      out.printRecord(table.names());
      Object[] cells = new Object[table.columns().size()];
      for (int r : rows) {
        for (int j = 0; j < cells.length; j++) {
          Table.Column c = table.columns().get(j);
          if (c.missing(r)) cells[j] = "";
          else if (c instanceof Table.Numbers n) cells[j] = Float.toString(n.values()[r]);
          else cells[j] = ((Table.Codes) c).value(r);
        }
        out.printRecord(cells);
      }
    }
  }
}
