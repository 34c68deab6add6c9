package org.citytwin.history.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.citytwin.history.arrow.SampleArrowWriter;
import org.citytwin.twin.CanonicalUnit;
import org.citytwin.twin.Reading;
import org.eclipse.ditto.things.model.ThingId;

/**
 * The series a store has seen: one per thing, feature, property, unit and category, numbered from
 * 0. Samples carry only the number, so a reading's row is its time, a 4-byte series number, its
 * value and its flags: narrow on disk, cheap to index, and (being an integer that grows as devices
 * appear) a column whose per-block minimum and maximum let both databases skip blocks that hold
 * other devices. The whole catalog lives in memory: a district has some 100,000 series.
 *
 * <p>Thread-safe: readers look series up while the one writer adds new ones.
 */
public final class SeriesCatalog {

  /** The table, in SQL both databases take. */
  public static final String TABLE =
      """
      CREATE TABLE IF NOT EXISTS series (
        series_id INTEGER PRIMARY KEY,
        thing_id  VARCHAR NOT NULL,
        feature   VARCHAR NOT NULL,
        property  VARCHAR NOT NULL,
        unit      VARCHAR NOT NULL,
        category  VARCHAR NOT NULL,
        UNIQUE (thing_id, feature, property, unit, category)
      )""";

  /** One series: what every sample of it shares. */
  public record Series(
      int id,
      ThingId thingId,
      String feature,
      String property,
      CanonicalUnit unit,
      String category) {

    Key key() {
      return new Key(thingId, feature, property, unit, category);
    }
  }

  /** What the rows of each of {@code series} say in an Arrow answer's text columns, by number. */
  public static Map<Integer, SampleArrowWriter.SeriesLabels> labels(List<Series> series) {
    Map<Integer, SampleArrowWriter.SeriesLabels> labels = new HashMap<>();
    for (Series one : series) {
      labels.put(
          one.id(),
          new SampleArrowWriter.SeriesLabels(
              one.thingId().toString(),
              one.feature(),
              one.property(),
              one.unit().symbol(),
              one.category()));
    }
    return labels;
  }

  private record Key(
      ThingId thingId, String feature, String property, CanonicalUnit unit, String category) {
    static Key of(Reading reading) {
      return new Key(
          reading.thingId(),
          reading.feature(),
          reading.property(),
          reading.unit(),
          reading.category());
    }
  }

  /** The series number of each reading, in order, and the series that had to be added for them. */
  public record Assignment(int[] ids, List<Series> added) {}

  private record Property(ThingId thingId, String feature, String property) {}

  private final Map<Key, Series> byKey = new ConcurrentHashMap<>();
  private final Map<Integer, Series> byId = new ConcurrentHashMap<>();
  private final Map<Property, List<Series>> byProperty = new ConcurrentHashMap<>();

  private SeriesCatalog() {}

  /** Creates the table if needed and reads every series in it. */
  public static SeriesCatalog load(Connection connection) throws SQLException {
    SeriesCatalog catalog = new SeriesCatalog();
    try (Statement statement = connection.createStatement()) {
      statement.execute(TABLE);
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT series_id, thing_id, feature, property, unit, category FROM series")) {
        while (rows.next()) {
          catalog.add(
              new Series(
                  rows.getInt(1),
                  ThingId.of(rows.getString(2)),
                  rows.getString(3),
                  rows.getString(4),
                  CanonicalUnit.valueOf(rows.getString(5)),
                  rows.getString(6)));
        }
      }
    }
    return catalog;
  }

  /**
   * Numbers each reading's series. Series the catalog lacks are numbered after the known ones and
   * inserted through {@code connection} (in the caller's transaction); they are not known to the
   * catalog until {@link #addAll} is called with {@link Assignment#added} after the commit.
   */
  public Assignment assign(Connection connection, List<Reading> readings) throws SQLException {
    int[] ids = new int[readings.size()];
    Map<Key, Series> missing = null;
    int next = byId.size();
    for (int i = 0; i < ids.length; i++) {
      Reading reading = readings.get(i);
      Key key = Key.of(reading);
      Series series = byKey.get(key);
      if (series == null) {
        missing = missing == null ? new LinkedHashMap<>() : missing;
        series = missing.get(key);
        if (series == null) {
          series =
              new Series(
                  next++,
                  reading.thingId(),
                  reading.feature(),
                  reading.property(),
                  reading.unit(),
                  reading.category());
          missing.put(key, series);
        }
      }
      ids[i] = series.id();
    }
    if (missing == null) {
      return new Assignment(ids, List.of());
    }
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO series VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Series series : missing.values()) {
        insert.setInt(1, series.id());
        insert.setString(2, series.thingId().toString());
        insert.setString(3, series.feature());
        insert.setString(4, series.property());
        insert.setString(5, series.unit().name());
        insert.setString(6, series.category());
        insert.addBatch();
      }
      insert.executeBatch();
    }
    return new Assignment(ids, List.copyOf(missing.values()));
  }

  /** Makes committed series known. */
  public void addAll(List<Series> committed) {
    committed.forEach(this::add);
  }

  private void add(Series series) {
    byKey.put(series.key(), series);
    byId.put(series.id(), series);
    byProperty.compute(
        new Property(series.thingId(), series.feature(), series.property()),
        (property, known) -> {
          List<Series> all = known == null ? new ArrayList<>() : new ArrayList<>(known);
          all.add(series);
          return List.copyOf(all);
        });
  }

  public Series byId(int id) {
    Series series = byId.get(id);
    if (series == null) {
      throw new IllegalStateException("no series " + id + " in the catalog");
    }
    return series;
  }

  /** The series of one thing's property (one, unless its unit or category changed). */
  public List<Series> of(ThingId thingId, String feature, String property) {
    return byProperty.getOrDefault(new Property(thingId, feature, property), List.of());
  }

  /** The series of a property of several things. */
  public List<Series> of(List<ThingId> thingIds, String feature, String property) {
    List<Series> all = new ArrayList<>();
    thingIds.forEach(thingId -> all.addAll(of(thingId, feature, property)));
    return all;
  }

  /** Every series of one thing. */
  public List<Series> ofThing(ThingId thingId) {
    return byId.values().stream().filter(series -> series.thingId().equals(thingId)).toList();
  }

  /** The numbers of {@code series} as an SQL list, such as {@code (3, 17)}; never empty. */
  public static String idList(List<Series> series) {
    if (series.isEmpty()) {
      return "(-1)";
    }
    StringBuilder list = new StringBuilder("(");
    for (int i = 0; i < series.size(); i++) {
      list.append(i == 0 ? "" : ", ").append(series.get(i).id());
    }
    return list.append(')').toString();
  }
}
