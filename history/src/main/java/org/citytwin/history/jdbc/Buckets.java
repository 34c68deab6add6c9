package org.citytwin.history.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.citytwin.history.Bucket;
import org.citytwin.history.BucketQuery;

/**
 * Reads the rows of a bucket query, which both databases shape alike: bucket number counted from
 * the query's start, count, min, max, avg, last.
 */
public final class Buckets {

  private Buckets() {}

  public static List<Bucket> read(PreparedStatement statement, BucketQuery query)
      throws SQLException {
    List<Bucket> buckets = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        buckets.add(
            new Bucket(
                query.from().plus(rows.getLong(1) * query.widthMicros(), ChronoUnit.MICROS),
                rows.getLong(2),
                rows.getDouble(3),
                rows.getDouble(4),
                rows.getDouble(5),
                rows.getDouble(6)));
      }
    }
    return buckets;
  }
}
