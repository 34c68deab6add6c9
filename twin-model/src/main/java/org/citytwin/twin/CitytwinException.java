package org.citytwin.twin;

import org.eclipse.ditto.base.model.exceptions.DittoRuntimeException;
import org.eclipse.ditto.base.model.headers.DittoHeaders;

/**
 * A failure the caller caused, answered with Ditto's error body ({@code status}, {@code error},
 * {@code message}, {@code description}). Extending Ditto's own exception type means citytwin's
 * errors and Ditto's (such as {@code things:thing.notfound}) travel and render the same way.
 */
public final class CitytwinException extends DittoRuntimeException {

  private final transient ErrorCode errorCode;

  CitytwinException(ErrorCode errorCode, String message) {
    this(errorCode, message, DittoHeaders.empty());
  }

  private CitytwinException(ErrorCode errorCode, String message, DittoHeaders headers) {
    super(
        errorCode.code(),
        errorCode.status(),
        headers,
        message,
        errorCode.description(),
        null,
        null);
    this.errorCode = errorCode;
  }

  public ErrorCode errorCode() {
    return errorCode;
  }

  @Override
  public CitytwinException setDittoHeaders(DittoHeaders dittoHeaders) {
    return new CitytwinException(errorCode, getMessage(), dittoHeaders);
  }
}
