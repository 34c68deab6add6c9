package org.citytwin.history.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.history.DeadLetter;
import org.citytwin.history.DeadLetterStore;
import org.citytwin.history.HistoryUnavailableException;

/**
 * The dead-letter table in plain SQL that DuckDB and PostgreSQL both run, on its own connection. A
 * sequence number orders the letters, so trimming to capacity is one range delete.
 */
public final class JdbcDeadLetterStore implements DeadLetterStore, AutoCloseable {

  /**
   * The newest this many are kept: a few days of a badly configured vendor, a few MB each 1,000.
   */
  public static final int DEFAULT_CAPACITY = 100_000;

  private final Connection connection;
  private final int capacity;
  private long nextSequence;

  public JdbcDeadLetterStore(Connection connection, int capacity) throws SQLException {
    this.connection = connection;
    this.capacity = capacity;
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          """
          CREATE TABLE IF NOT EXISTS dead_letter (
            sequence    BIGINT    NOT NULL,
            received_at TIMESTAMP NOT NULL,
            source      VARCHAR   NOT NULL,
            place       VARCHAR   NOT NULL,
            error       VARCHAR   NOT NULL,
            message     VARCHAR   NOT NULL,
            payload     VARCHAR   NOT NULL
          )""");
      try (ResultSet rows =
          statement.executeQuery("SELECT coalesce(max(sequence), 0) FROM dead_letter")) {
        rows.next();
        nextSequence = rows.getLong(1) + 1;
      }
    }
  }

  @Override
  public synchronized void append(List<DeadLetter> letters) {
    if (letters.isEmpty()) {
      return;
    }
    long sequence = nextSequence;
    try (PreparedStatement insert =
            connection.prepareStatement("INSERT INTO dead_letter VALUES (?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement trim =
            connection.prepareStatement("DELETE FROM dead_letter WHERE sequence <= ?")) {
      connection.setAutoCommit(false);
      for (DeadLetter letter : letters) {
        insert.setLong(1, sequence++);
        insert.setTimestamp(2, Timestamp.from(letter.receivedAt()));
        insert.setString(3, letter.source());
        insert.setString(4, letter.place());
        insert.setString(5, letter.error());
        insert.setString(6, letter.message());
        insert.setString(7, letter.payload());
        insert.addBatch();
      }
      insert.executeBatch();
      trim.setLong(1, sequence - 1 - capacity);
      trim.executeUpdate();
      connection.commit();
      nextSequence = sequence;
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // The original failure is the one worth reporting.
      }
      throw new HistoryUnavailableException("cannot keep " + letters.size() + " dead letters", e);
    }
  }

  @Override
  public synchronized List<DeadLetter> latest(int limit) {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT received_at, source, place, error, message, payload FROM dead_letter"
                + " ORDER BY sequence DESC LIMIT ?")) {
      connection.setAutoCommit(true);
      query.setInt(1, limit);
      List<DeadLetter> letters = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          letters.add(
              new DeadLetter(
                  rows.getTimestamp(1).toInstant(),
                  rows.getString(2),
                  rows.getString(3),
                  rows.getString(4),
                  rows.getString(5),
                  rows.getString(6)));
        }
      }
      return letters;
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read the dead letters", e);
    }
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot close the dead-letter store", e);
    }
  }
}
