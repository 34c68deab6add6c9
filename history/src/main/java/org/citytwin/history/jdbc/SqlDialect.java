package org.citytwin.history.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;

/** What DuckDB and PostgreSQL spell differently in the sample queries of {@link SampleQueries}. */
public interface SqlDialect {

  /** The microseconds since 1970 of a time expression, as a BIGINT. */
  String micros(String time);

  /** A time parameter, as it appears in SQL; {@link #bindTime} binds it. */
  String timeParameter();

  void bindTime(PreparedStatement statement, int index, Instant time) throws SQLException;

  /** The {@code value} of the row with the greatest {@code order} in a group. */
  String lastValue(String value, String order);

  /** Integer division of two BIGINT expressions. */
  String divide(String dividend, String divisor);
}
