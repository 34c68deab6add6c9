package org.citytwin.sim;

import java.util.List;

/**
 * A scenario of the district's everyday devices, played beside the storm and the trucks: what its
 * devices send, and the incidents that should come of it.
 */
public interface FieldScenario {

  /** Its name in the report: {@code bridge-overload}. */
  String name();

  /** Every send, with the time it is due, in time order. */
  List<ScenarioPlan.Timed> sends();

  /** The incidents the sends should raise. */
  ExpectedIncidents expected();

  /** The scenario's sensors that fail, and how. */
  SensorFaults faults();
}
