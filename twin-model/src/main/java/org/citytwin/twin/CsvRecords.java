package org.citytwin.twin;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads RFC 4180 CSV one record at a time from a {@link Reader}, so a file of any size is read in
 * the memory of one record: quoted fields may hold commas, doubled quotes and line breaks; lines
 * end in CRLF or LF; a leading byte-order mark (which spreadsheets write) is skipped.
 */
public final class CsvRecords {

  /** No single field is longer than this; a longer one means the file is not what it claims. */
  public static final int MAX_FIELD_CHARS = 1 << 20;

  private final Reader reader;
  private int pending = -2;
  private long record;

  /**
   * @param reader the text, best buffered; the caller closes it
   */
  public CsvRecords(Reader reader) {
    this.reader = reader;
  }

  /** How many records have been read so far (the header included). */
  public long recordsRead() {
    return record;
  }

  /**
   * The next record's fields, or empty at the end of the text.
   *
   * @throws IllegalArgumentException if the text ends inside a quoted field or a field is too long
   */
  public Optional<List<String>> next() throws IOException {
    int c = read();
    if (pending == -2) {
      pending = -1;
      if (c == '\uFEFF') {
        c = read();
      }
    }
    if (c == -1) {
      return Optional.empty();
    }
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    while (true) {
      if (quoted) {
        if (c == -1) {
          throw new IllegalArgumentException(
              "record " + (record + 1) + " ends inside a quoted field");
        }
        if (c == '"') {
          int after = read();
          if (after == '"') {
            field.append('"');
          } else {
            quoted = false;
            c = after;
            continue;
          }
        } else {
          field.append((char) c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '\n' || c == '\r' || c == -1) {
        if (c == '\r') {
          int after = read();
          if (after != '\n' && after != -1) {
            pending = after;
          }
        }
        fields.add(field.toString());
        record++;
        return Optional.of(fields);
      } else {
        field.append((char) c);
      }
      if (field.length() > MAX_FIELD_CHARS) {
        throw new IllegalArgumentException(
            "record " + (record + 1) + " has a field over " + MAX_FIELD_CHARS + " characters");
      }
      c = read();
    }
  }

  private int read() throws IOException {
    if (pending >= 0) {
      int c = pending;
      pending = -1;
      return c;
    }
    return reader.read();
  }

  /** {@code field} as a CSV field: quoted when it holds a comma, a quote or a line break. */
  public static String quote(String field) {
    if (field.indexOf(',') < 0
        && field.indexOf('"') < 0
        && field.indexOf('\n') < 0
        && field.indexOf('\r') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }
}
