package org.citytwin.fusion;

/** A rule that cannot be loaded; the message names the rule's source and the offending field. */
public final class RuleException extends IllegalArgumentException {

  public RuleException(String message) {
    super(message);
  }
}
