package org.citytwin.history.duckdb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.citytwin.history.HistoryUnavailableException;
import org.citytwin.history.jdbc.JdbcThingJournal;

/**
 * Where the twin journal lives: a DuckDB file of its own beside the readings' file ({@code
 * history.duckdb} -> {@code history.twins.duckdb}).
 *
 * <p>Why its own file: a DuckDB file has one write-ahead log, and checkpointing it (every 16 MB of
 * log, every couple of seconds at 20,000 readings a second) holds up every commit of the file for
 * tens to hundreds of milliseconds. In one file, each checkpoint driven by readings also held up
 * the journal commits that twin changes, and so their subscribers, wait for.
 *
 * <p>Files written before the split hold the journal's tables beside the readings. {@link
 * #moveOutOf} copies them into the journal's file in one transaction of that file, then drops them
 * from the readings' file in one transaction of that one. A crash between the two leaves both
 * copies; the next start finds the journal's file complete and finishes by dropping the old tables,
 * after checking that the copies agree.
 */
final class TwinJournalFile {

  private static final String ATTACHED = "citytwin_twin_journal";
  private static final List<String> TABLES =
      List.of("thing_journal_change", "thing_snapshot", "thing_snapshot_meta");

  /** Created last by the schema and copied in the same transaction: its presence marks a copy. */
  private static final String MARKER_TABLE = "thing_snapshot_meta";

  private TwinJournalFile() {}

  /** The journal's file for the readings' file {@code readingsFile}. */
  static Path besides(Path readingsFile) {
    return readingsFile.resolveSibling(stem(readingsFile) + ".twins.duckdb");
  }

  /** The directory of the journal's segments ({@link DuckDbThingJournal}) beside its file. */
  static Path segmentsBesides(Path journalFile) {
    return journalFile.resolveSibling(stem(journalFile) + ".segments");
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".duckdb") ? name.substring(0, name.length() - 7) : name;
  }

  /** The statement attaching the DuckDB file {@code file} under {@code alias}. */
  static String attach(Path file, String alias) {
    return "ATTACH '" + file.toAbsolutePath().toString().replace("'", "''") + "' AS " + alias;
  }

  /**
   * Moves the journal's tables out of the readings' database (open on {@code readings}) into {@code
   * journalFile}, if they are still there. The journal's file must not be open yet.
   */
  static void moveOutOf(Connection readings, Path journalFile) {
    try (Statement statement = readings.createStatement()) {
      String catalogName = currentCatalog(statement);
      if (!holdsTable(statement, catalogName, MARKER_TABLE)) {
        return;
      }
      String readingsCatalog = identifier(catalogName);
      statement.execute(attach(journalFile, ATTACHED));
      try {
        if (!holdsTable(statement, ATTACHED, MARKER_TABLE)) {
          copy(statement, readingsCatalog);
        } else if (!sameContents(statement, readingsCatalog)) {
          throw new HistoryUnavailableException(
              "both the history file and "
                  + journalFile.getFileName()
                  + " hold a twin journal, and they differ: was an older citytwin run on this data"
                  + " directory after a newer one? Move one of them away to choose which to keep");
        }
      } finally {
        statement.execute("USE " + readingsCatalog);
        statement.execute("DETACH " + ATTACHED);
      }
      dropOldTables(statement);
    } catch (SQLException e) {
      throw new HistoryUnavailableException(
          "cannot move the twin journal into " + journalFile + ": " + e.getMessage(), e);
    }
  }

  private static void copy(Statement statement, String readingsCatalog) throws SQLException {
    inOneTransaction(
        statement,
        () -> {
          statement.execute("USE " + ATTACHED);
          for (String ddl : JdbcThingJournal.SCHEMA) {
            statement.execute(ddl);
          }
          for (String table : TABLES) {
            statement.execute(
                "INSERT INTO " + table + " SELECT * FROM " + readingsCatalog + ".main." + table);
          }
        });
  }

  private static boolean sameContents(Statement statement, String readingsCatalog)
      throws SQLException {
    for (String table : TABLES) {
      String fingerprint =
          "SELECT count(*), coalesce(sum(hash(t)), 0) FROM %s.main." + table + " t";
      if (!single(statement, fingerprint.formatted(readingsCatalog))
          .equals(single(statement, fingerprint.formatted(ATTACHED)))) {
        return false;
      }
    }
    return true;
  }

  private static void dropOldTables(Statement statement) throws SQLException {
    inOneTransaction(
        statement,
        () -> {
          for (String table : TABLES) {
            statement.execute("DROP TABLE IF EXISTS main." + table);
          }
        });
  }

  /** Statements that may throw. */
  private interface Steps {
    void run() throws SQLException;
  }

  private static void inOneTransaction(Statement statement, Steps steps) throws SQLException {
    Connection connection = statement.getConnection();
    connection.setAutoCommit(false);
    try {
      steps.run();
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private static String currentCatalog(Statement statement) throws SQLException {
    try (ResultSet result = statement.executeQuery("SELECT current_database()")) {
      result.next();
      return result.getString(1);
    }
  }

  /** A catalog name as a quoted SQL identifier: file names may hold '-' or spaces. */
  private static String identifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  private static boolean holdsTable(Statement statement, String catalog, String table)
      throws SQLException {
    try (ResultSet result =
        statement.executeQuery(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = '"
                + catalog.replace("'", "''")
                + "' AND schema_name = 'main' AND table_name = '"
                + table
                + "'")) {
      result.next();
      return result.getLong(1) > 0;
    }
  }

  private static String single(Statement statement, String query) throws SQLException {
    try (ResultSet result = statement.executeQuery(query)) {
      result.next();
      return result.getString(1) + "/" + result.getString(2);
    }
  }
}
