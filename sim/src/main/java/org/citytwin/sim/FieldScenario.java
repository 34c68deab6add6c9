package org.citytwin.sim;

import java.util.List;

/**
 * A scenario of the district's everyday devices, played beside the storm and the trucks: what its
 * devices send, and the incidents that should come of it.
 */
public interface FieldScenario {

  /** Every send, with the time it is due, in time order. */
  List<ScenarioPlan.Timed> sends();

  /** The incidents the sends should raise. */
  ExpectedIncidents expected();
}
