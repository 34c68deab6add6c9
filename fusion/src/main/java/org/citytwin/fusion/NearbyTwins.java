package org.citytwin.fusion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.citytwin.fusion.GaussKrugerMetres.PlanePoint;

/**
 * Where the twins of each definition stand, on the Gauss-Kruger plane, bucketed in square cells so
 * that "is any twin of this definition within D metres" reads only the cells D reaches.
 *
 * <p>Not thread-safe; owned by the fusion engine.
 */
final class NearbyTwins {

  /** Cell side in metres: a few hundred twins per cell at a district's densest. */
  private static final double CELL = 500;

  private record Cell(long column, long row) {}

  private final Map<String, PlanePoint> positions = new HashMap<>();
  private final Map<String, Map<Cell, List<String>>> cellsByDefinition = new HashMap<>();
  private final Map<String, String> definitionOf = new HashMap<>();

  /** Records where a twin stands now, moving it if it stood elsewhere. */
  void place(String thingId, String definition, PlanePoint position) {
    PlanePoint before = positions.put(thingId, position);
    if (before != null && cellOf(before).equals(cellOf(position))) {
      return;
    }
    if (before != null) {
      String oldDefinition = definitionOf.get(thingId);
      List<String> old = cellsByDefinition.get(oldDefinition).get(cellOf(before));
      if (old != null) {
        old.remove(thingId);
      }
    }
    definitionOf.put(thingId, definition);
    cellsByDefinition
        .computeIfAbsent(definition, d -> new HashMap<>())
        .computeIfAbsent(cellOf(position), c -> new ArrayList<>(4))
        .add(thingId);
  }

  /** Whether a twin of {@code definition} other than {@code self} stands within {@code metres}. */
  boolean anyWithin(String definition, PlanePoint around, double metres, String self) {
    Map<Cell, List<String>> cells = cellsByDefinition.get(definition);
    if (cells == null) {
      return false;
    }
    long reach = (long) Math.ceil(metres / CELL);
    Cell centre = cellOf(around);
    for (long column = centre.column() - reach; column <= centre.column() + reach; column++) {
      for (long row = centre.row() - reach; row <= centre.row() + reach; row++) {
        for (String thingId : cells.getOrDefault(new Cell(column, row), List.of())) {
          if (!thingId.equals(self) && positions.get(thingId).metresTo(around) <= metres) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static Cell cellOf(PlanePoint point) {
    return new Cell(
        (long) Math.floor(point.easting() / CELL), (long) Math.floor(point.northing() / CELL));
  }
}
