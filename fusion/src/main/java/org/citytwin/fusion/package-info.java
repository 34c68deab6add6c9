/**
 * Fusion: twins correlated in space (JTS) and time into incidents that span departments.
 *
 * <p>{@link org.citytwin.fusion.FusionEngine} is the pure core (zones, rules, the incident book, an
 * injected clock); {@link org.citytwin.fusion.FusionVerticle} feeds it twin events from the event
 * bus and publishes what it raises. Rules are data: YAML files validated on load ({@link
 * org.citytwin.fusion.RuleLoader}).
 */
package org.citytwin.fusion;
