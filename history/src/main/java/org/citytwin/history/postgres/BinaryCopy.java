package org.citytwin.history.postgres;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.citytwin.history.jdbc.ReadingRows;
import org.citytwin.twin.QualityFlag;
import org.citytwin.twin.Reading;
import org.citytwin.twin.ReadingValue;

/**
 * Writes readings in PostgreSQL's binary COPY format, the fastest way rows enter the server: no SQL
 * parsing per row and no text conversion of times and numbers. The layout is the server's
 * documented one: a signature, flags and an empty header extension, then per row a field count and
 * each field as a length (-1 for null) and its bytes, and -1 at the end.
 */
final class BinaryCopy implements AutoCloseable {

  /** The columns in the order rows are written. */
  static final String COLUMNS = "observed_at, series_id, value, quality, stated";

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
  };

  /** PostgreSQL counts time from 2000-01-01 UTC. */
  static final long POSTGRES_EPOCH_MICROS =
      ReadingRows.epochMicros(Instant.parse("2000-01-01T00:00:00Z"));

  private static final byte JSONB_VERSION = 1;
  private static final short FIELDS = 5;

  private final DataOutputStream out;

  BinaryCopy(OutputStream copyIn) throws IOException {
    this.out = new DataOutputStream(copyIn);
    out.write(SIGNATURE);
    out.writeInt(0);
    out.writeInt(0);
  }

  void write(Reading reading, int seriesId) throws IOException {
    out.writeShort(FIELDS);
    out.writeInt(Long.BYTES);
    out.writeLong(ReadingRows.epochMicros(reading.observedAt()) - POSTGRES_EPOCH_MICROS);
    out.writeInt(Integer.BYTES);
    out.writeInt(seriesId);
    if (reading.value() instanceof ReadingValue.Numeric numeric) {
      out.writeInt(Double.BYTES);
      out.writeDouble(numeric.number());
    } else {
      out.writeInt(-1);
    }
    out.writeInt(Short.BYTES);
    out.writeShort(QualityFlag.mask(reading.quality()));
    if (reading.value() instanceof ReadingValue.Stated stated) {
      byte[] json = stated.json().toString().getBytes(StandardCharsets.UTF_8);
      out.writeInt(json.length + 1);
      out.writeByte(JSONB_VERSION);
      out.write(json);
    } else {
      out.writeInt(-1);
    }
  }

  private void text(String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  /** Writes the trailer and ends the COPY; the caller commits. */
  @Override
  public void close() throws IOException {
    out.writeShort(-1);
    out.close();
  }
}
