package org.citytwin.fusion.rules;

import java.time.Duration;
import java.util.Set;

/**
 * A fusion rule: what it listens for, and the incident it raises. Rules are data, read from YAML or
 * JSON files; every field has been validated when a rule exists.
 */
public sealed interface Rule permits CorrelationRule, TrajectoryRule {

  /** Unique among loaded rules; incidents name the rule that raised them. */
  String id();

  /** Where the rule was read from ({@code file:line}), for messages and audits. */
  String source();

  /** What the rule raises; its severity is the one used when the rule grades nothing. */
  IncidentTemplate incident();

  /**
   * The level (grid, community, street or district) an incident starts at before any escalation.
   */
  String level();

  /** Whether a new incident is reviewed and dispatched to the nearest team without waiting. */
  boolean autoDispatch();

  /**
   * How long after its latest evidence an open incident still absorbs new evidence instead of a new
   * one being raised.
   */
  Duration mergeWithin();

  /** The definitions of the twins the rule listens to. */
  Set<String> definitions();
}
