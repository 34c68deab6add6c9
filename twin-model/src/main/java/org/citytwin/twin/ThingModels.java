package org.citytwin.twin;

import org.eclipse.ditto.json.JsonPointer;
import org.eclipse.ditto.things.model.ThingDefinition;
import org.eclipse.ditto.things.model.ThingsModelFactory;

/**
 * The thing models citytwin knows, by Ditto definition ({@code namespace:name:version}), and the
 * attribute paths every twin shares.
 */
public final class ThingModels {

  /** A gauge measuring standing water on a street, in its feature {@code waterlogging}. */
  public static final ThingDefinition WATERLOGGING_GAUGE =
      ThingsModelFactory.newDefinition("citytwin:waterlogging-gauge:1.0.0");

  public static final String WATERLOGGING_FEATURE = "waterlogging";
  public static final String DEPTH_PROPERTY = "depth";

  /** GeoJSON geometry in WGS84, on every managed object and device. */
  public static final JsonPointer LOCATION = JsonPointer.of("location");

  /** The twin's place in the district, street, community and grid hierarchy. */
  public static final JsonPointer HIERARCHY = JsonPointer.of("hierarchy");

  /** For a device: the id of the managed object it observes. */
  public static final JsonPointer OBSERVES = JsonPointer.of("observes");

  private ThingModels() {}
}
