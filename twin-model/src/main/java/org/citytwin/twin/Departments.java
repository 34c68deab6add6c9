package org.citytwin.twin;

import java.util.List;

/**
 * The departments that own twins. A department's id is the Ditto namespace of everything it owns,
 * so ownership shows in every thing id ({@code water:wlg-0001}); Ditto namespaces take no hyphens,
 * hence the single-word ids.
 */
public final class Departments {

  /** A department: its id (the namespace it owns) and its name. */
  public record Department(String id, String name) {}

  public static final List<Department> ALL =
      List.of(
          new Department("water", "Water resources and flood control"),
          new Department("urban", "Urban management"),
          new Department("traffic", "Traffic police and road transport"),
          new Department("construction", "Housing and construction"),
          new Department("environment", "Ecology and environment"),
          new Department("emergency", "Emergency management"),
          new Department("energy", "Development and energy"),
          new Department("incidents", "Cross-department incidents (owned by the command centre)"));

  private Departments() {}
}
