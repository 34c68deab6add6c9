/**
 * The API: one HTTP server for devices (mounting ingest's endpoints) and for people and services
 * (the Ditto-compatible things API, live change notifications, incidents, history), plus the twin
 * service that owns the district's twins.
 *
 * <p>{@link org.citytwin.api.ApiVerticle} is the HTTP server; {@link
 * org.citytwin.api.TwinServiceVerticle} applies twin commands and publishes twin events. The routes
 * themselves live in {@code org.citytwin.api.http}.
 */
package org.citytwin.api;
