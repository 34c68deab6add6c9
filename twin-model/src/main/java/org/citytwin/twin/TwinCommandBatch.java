package org.citytwin.twin;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.ditto.things.model.signals.commands.modify.ThingModifyCommand;

/**
 * Twin commands sent to the twin service together, as Ditto command objects rather than Ditto
 * Protocol text: the form in-process senders (ingest) use for readings.
 *
 * <p>Why a second form: reading one Ditto Protocol command back from text costs about 5 µs (Ditto's
 * JSON parser, thing-id validation, headers), more than everything else the twin service does with
 * a reading together, and one message per command adds the event bus's own cost. A batch of objects
 * crosses the event bus once, by reference. It is local only: it cannot cross a clustered event
 * bus, where the text form still serves.
 *
 * @param commands create, modify, merge or delete commands, applied in this order
 */
public record TwinCommandBatch(List<ThingModifyCommand<?>> commands) {

  public TwinCommandBatch {
    commands = List.copyOf(commands);
  }

  /**
   * What became of one command of a batch.
   *
   * @param status the HTTP status a single command would have got: 201, 204, or the error's
   * @param revision the thing's revision after the change; 0 for a failure
   * @param error the Ditto error's JSON for a failure
   */
  public record Outcome(int status, long revision, Optional<String> error) {

    public Outcome {
      Objects.requireNonNull(error, "error");
    }

    public boolean succeeded() {
      return error.isEmpty();
    }
  }

  /** The reply to a batch: one outcome per command, in the batch's order. */
  public record Outcomes(List<Outcome> outcomes) {

    public Outcomes {
      outcomes = List.copyOf(outcomes);
    }
  }
}
