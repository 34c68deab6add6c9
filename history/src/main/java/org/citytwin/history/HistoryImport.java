package org.citytwin.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.citytwin.history.arrow.ReadingArrowReader;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.CsvRecords;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;
import org.eclipse.ditto.things.model.ThingId;

/**
 * Bulk-loads historical readings from an Arrow or CSV file in constant memory: the file is read a
 * batch at a time and each batch of {@link #BATCH_ROWS} is committed before the next is read.
 *
 * <p>A row that is no valid reading stops the import, naming the row; what was committed before it
 * stays (the outcome says how much). With {@code skipInvalid} such rows are counted and left out
 * instead.
 */
public final class HistoryImport {

  /** Rows per commit: the history verticle's own commit bound. */
  public static final int BATCH_ROWS = HistoryVerticle.MAX_ROWS_PER_COMMIT;

  /** How many refused rows an outcome describes; the rest are only counted. */
  static final int PROBLEMS_KEPT = 20;

  /**
   * What an import did.
   *
   * @param imported readings committed
   * @param refused rows left out as invalid ({@code skipInvalid} only)
   * @param problems the first refused rows, as "row N: why"
   */
  public record Outcome(long imported, long refused, List<String> problems) {}

  /** A row that is no valid reading, when invalid rows stop the import. */
  public static final class InvalidRowException extends IllegalArgumentException {
    private final long imported;

    InvalidRowException(String message, long imported) {
      super(message);
      this.imported = imported;
    }

    /** Readings committed before the invalid row. */
    public long imported() {
      return imported;
    }
  }

  private final HistoryStore store;
  private final boolean skipInvalid;
  private final List<Reading> pending = new ArrayList<>(BATCH_ROWS);
  private final List<String> problems = new ArrayList<>();
  private long imported;
  private long refused;

  private HistoryImport(HistoryStore store, boolean skipInvalid) {
    this.store = store;
    this.skipInvalid = skipInvalid;
  }

  /**
   * Imports {@code file} in {@code format}.
   *
   * @throws InvalidRowException at the first invalid row, unless {@code skipInvalid}
   * @throws IllegalArgumentException if the file is not of the format at all
   */
  public static Outcome read(
      HistoryStore store, Path file, HistoryFileFormat format, boolean skipInvalid) {
    HistoryImport load = new HistoryImport(store, skipInvalid);
    try {
      switch (format) {
        case ARROW -> load.readArrow(file);
        case CSV -> load.readCsv(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    load.commit();
    return new Outcome(load.imported, load.refused, List.copyOf(load.problems));
  }

  private void readArrow(Path file) throws IOException {
    try (BufferAllocator allocator = new RootAllocator();
        FileChannel channel = FileChannel.open(file);
        ReadingArrowReader reader = ReadingArrowReader.open(channel, allocator)) {
      for (Optional<List<Reading>> batch = reader.next(this::refuse);
          batch.isPresent();
          batch = reader.next(this::refuse)) {
        batch.get().forEach(this::add);
      }
    }
  }

  private void readCsv(Path file) throws IOException {
    try (BufferedReader text = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      CsvRecords records = new CsvRecords(text);
      List<String> header = records.next().orElse(List.of());
      List<String> expected = List.of(HistoryFileFormat.CSV_HEADER.split(","));
      if (!header.equals(expected)) {
        throw new IllegalArgumentException(
            "the CSV header must be " + HistoryFileFormat.CSV_HEADER + ", not " + header);
      }
      for (Optional<List<String>> row = records.next(); row.isPresent(); row = records.next()) {
        long rowNumber = records.recordsRead() - 1;
        try {
          add(csvReading(row.get()));
        } catch (RuntimeException e) {
          refuse(rowNumber, e.getMessage());
        }
      }
    }
  }

  static Reading csvReading(List<String> fields) {
    if (fields.size() != 9) {
      throw new IllegalArgumentException("9 fields expected, " + fields.size() + " found");
    }
    CanonicalUnit unit =
        CanonicalUnit.ofSymbol(fields.get(5))
            .orElseThrow(
                () -> new IllegalArgumentException("unknown unit '" + fields.get(5) + "'"));
    ReadingValue value =
        fields.get(8).isEmpty()
            ? new ReadingValue.Numeric(Double.parseDouble(fields.get(4)))
            : ReadingValue.fromJsonText(fields.get(8));
    return new Reading(
        ThingId.of(fields.get(1)),
        fields.get(2),
        fields.get(3),
        value,
        unit,
        Instant.parse(fields.get(0)),
        fields.get(6).isEmpty() ? Reading.UNCLASSIFIED : fields.get(6),
        QualityFlag.parse(fields.get(7)));
  }

  private void add(Reading reading) {
    pending.add(reading);
    if (pending.size() == BATCH_ROWS) {
      commit();
    }
  }

  private void refuse(long row, String why) {
    if (!skipInvalid) {
      commit();
      throw new InvalidRowException("row " + row + ": " + why, imported);
    }
    refused++;
    if (problems.size() < PROBLEMS_KEPT) {
      problems.add("row " + row + ": " + why);
    }
  }

  private void commit() {
    if (!pending.isEmpty()) {
      store.append(pending);
      imported += pending.size();
      pending.clear();
    }
  }
}
