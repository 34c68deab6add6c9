package org.citytwin.twin;

import org.eclipse.ditto.base.model.common.HttpStatus;

/** Errors of the twin layer that Ditto itself has no code for. */
public final class TwinErrors {

  public static final ErrorCode UNSUPPORTED_COMMAND =
      new ErrorCode(
          "twin:command.unsupported",
          HttpStatus.BAD_REQUEST,
          "Send a Ditto Protocol merge command (topic .../things/twin/commands/merge).");

  private TwinErrors() {}
}
