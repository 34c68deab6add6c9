package org.citytwin.history;

import java.time.Instant;

/**
 * One time bucket of a property's numeric readings. Readings flagged {@code spike} or {@code
 * clock-ahead} are left out, as they are kept off the twin: values cleaning judged wrong would skew
 * a minimum or an average.
 *
 * @param start the bucket's first instant
 * @param count how many readings it summarises, at least 1
 * @param last the value observed last within it
 */
public record Bucket(Instant start, long count, double min, double max, double avg, double last) {}
