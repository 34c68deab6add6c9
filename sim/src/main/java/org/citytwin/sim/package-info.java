/**
 * The district simulator: a generated district with known ground truth, written in the formats
 * citytwin imports, and scenarios that talk to a running server the way real devices do.
 *
 * <p>{@link org.citytwin.sim.DemoDistrict} builds the district deterministically from a seed;
 * {@link org.citytwin.sim.Rainstorm} plays a moving rain cell over its waterlogging gauges through
 * the device HTTP endpoint.
 */
package org.citytwin.sim;
