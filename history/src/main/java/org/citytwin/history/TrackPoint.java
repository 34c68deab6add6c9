package org.citytwin.history;

import java.time.Instant;

/** One fix of a trajectory, in WGS84 degrees. */
public record TrackPoint(Instant at, double longitude, double latitude) {}
