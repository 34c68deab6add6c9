package org.citytwin.twin;

import java.util.Objects;
import java.util.regex.Pattern;
import org.eclipse.ditto.base.model.common.HttpStatus;

/**
 * A stable error a caller can cause, in Ditto's form: a code such as {@code
 * ingest:payload.malformed}, the HTTP status it is answered with and a description telling the
 * caller what to do about it. Codes never change once published; clients match on them.
 */
public record ErrorCode(String code, HttpStatus status, String description) {

  private static final Pattern CODE = Pattern.compile("[a-z]+:[a-z][a-z0-9.-]*");

  public ErrorCode {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(description, "description");
    if (code == null || !CODE.matcher(code).matches()) {
      throw new IllegalArgumentException(
          "an error code looks like 'module:thing.problem': " + code);
    }
  }

  /** The exception that answers a caller with this error. */
  public CitytwinException toException(String message) {
    return new CitytwinException(this, message);
  }
}
