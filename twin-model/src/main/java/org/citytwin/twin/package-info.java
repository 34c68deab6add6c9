/**
 * The twin model: every managed object and device of a district as an Eclipse Ditto {@code Thing},
 * the canonical readings that change them, and the units and coordinates those readings carry.
 *
 * <p>This is a plain library, like Ditto's own {@code things/model}: it depends on Ditto's model
 * libraries and JTS only (no Vert.x, JDBC or logging; the Maven Enforcer guards this), so every
 * other module can build on it.
 */
package org.citytwin.twin;
