package org.citytwin.fusion;

import org.citytwin.twin.ErrorCode;
import org.eclipse.ditto.base.model.common.HttpStatus;

/** Errors a caller can cause when acting on incidents. */
public final class IncidentErrors {

  public static final ErrorCode NOT_FOUND =
      new ErrorCode(
          "incidents:incident.notfound",
          HttpStatus.NOT_FOUND,
          "Check the incident id; list incidents with GET /api/incidents.");

  public static final ErrorCode ILLEGAL_TRANSITION =
      new ErrorCode(
          "incidents:transition.illegal",
          HttpStatus.CONFLICT,
          "An incident moves report -> review -> dispatch -> handle -> verify -> close; reject only"
              + " before dispatch, merge only while open. Read the incident's state and act on it.");

  public static final ErrorCode ACTION_INVALID =
      new ErrorCode(
          "incidents:action.invalid",
          HttpStatus.BAD_REQUEST,
          "Send {\"action\": review|dispatch|handle|verify|return|close|reject|merge|escalate,"
              + " \"actor\": \"...\", \"note\": \"...\"}; merge needs \"into\", dispatch may name"
              + " a \"team\".");

  public static final ErrorCode NO_TEAM =
      new ErrorCode(
          "incidents:team.unavailable",
          HttpStatus.CONFLICT,
          "No patrol team is free, or the team named does not exist or is busy. Dispatch again"
              + " when one is free, or name another.");

  private IncidentErrors() {}
}
