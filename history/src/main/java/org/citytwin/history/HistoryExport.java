package org.citytwin.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.citytwin.history.arrow.ReadingArrowWriter;
import org.citytwin.twin.CsvRecords;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;

/**
 * Writes a range of history to a file, an export batch at a time: memory holds one batch however
 * long the range. The file is written under a temporary name and moved into place when complete, so
 * a reader never sees half an export.
 */
public final class HistoryExport {

  private HistoryExport() {}

  /**
   * Exports the readings of {@code query} to {@code file} in {@code format}.
   *
   * @return how many readings were written
   */
  public static long write(
      HistoryStore store, ExportQuery query, HistoryFileFormat format, Path file) {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try {
      long written =
          switch (format) {
            case ARROW -> writeArrow(store, query, partial);
            case CSV -> writeCsv(store, query, partial);
          };
      Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return written;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // Only left behind after a failure that is already being reported.
      }
    }
  }

  private static long writeArrow(HistoryStore store, ExportQuery query, Path file)
      throws IOException {
    try (BufferAllocator allocator = new RootAllocator();
        FileChannel channel =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        ReadingArrowWriter writer = ReadingArrowWriter.file(channel, allocator)) {
      return store.export(query, writer::write);
    }
  }

  private static long writeCsv(HistoryStore store, ExportQuery query, Path file)
      throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(HistoryFileFormat.CSV_HEADER);
      out.write("\r\n");
      return store.export(
          query,
          batch -> {
            try {
              for (Reading reading : batch) {
                out.write(csvLine(reading));
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
  }

  static String csvLine(Reading reading) {
    boolean numeric = reading.value() instanceof ReadingValue.Numeric;
    return String.join(
            ",",
            reading.observedAt().toString(),
            CsvRecords.quote(reading.thingId().toString()),
            CsvRecords.quote(reading.feature()),
            CsvRecords.quote(reading.property()),
            numeric ? Double.toString(((ReadingValue.Numeric) reading.value()).number()) : "",
            CsvRecords.quote(reading.unit().symbol()),
            CsvRecords.quote(reading.category()),
            CsvRecords.quote(QualityFlag.format(reading.quality())),
            numeric ? "" : CsvRecords.quote(reading.value().toJson().toString()))
        + "\r\n";
  }
}
