package org.citytwin.twin;

import org.eclipse.ditto.base.model.common.HttpStatus;

/** Errors of the twin layer that Ditto itself has no code for. */
public final class TwinErrors {

  public static final ErrorCode UNSUPPORTED_COMMAND =
      new ErrorCode(
          "twin:command.unsupported",
          HttpStatus.BAD_REQUEST,
          "Send a Ditto Protocol create, modify, merge or delete command for a thing or one of its"
              + " parts (attributes, features, properties, definition, policyId).");

  public static final ErrorCode NULL_VALUE =
      new ErrorCode(
          "twin:value.null",
          HttpStatus.BAD_REQUEST,
          "A twin keeps no null values: leave the key out, or delete it.");

  public static final ErrorCode UNAVAILABLE =
      new ErrorCode(
          "twin:journal.unavailable",
          HttpStatus.SERVICE_UNAVAILABLE,
          "The change could not be made durable and was not applied; send it again later.");

  public static final ErrorCode INTERNAL =
      new ErrorCode(
          "twin:internal",
          HttpStatus.INTERNAL_SERVER_ERROR,
          "The twin service failed unexpectedly; the failure is logged. Nothing was changed.");

  private TwinErrors() {}
}
