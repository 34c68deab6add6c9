package org.citytwin.history;

/**
 * What one retention pass did.
 *
 * @param rawRowsRemoved raw readings rolled up into minute aggregates (numbers) and removed
 * @param minutesWritten minute aggregates written from them
 * @param minutesRemoved minute aggregates older than the policy keeps, removed
 */
public record RetentionOutcome(long rawRowsRemoved, long minutesWritten, long minutesRemoved) {}
