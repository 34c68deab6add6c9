package org.citytwin.history;

/** The store could not do what was asked: its file, disk or database is not usable right now. */
public final class HistoryUnavailableException extends RuntimeException {

  public HistoryUnavailableException(String message) {
    super(message);
  }

  public HistoryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
