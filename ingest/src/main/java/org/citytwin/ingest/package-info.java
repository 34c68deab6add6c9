/**
 * Ingest: where devices hand citytwin their readings. Devices authenticate as in Eclipse Hono
 * ({@code auth-id@tenant} and a password, tenant = owning department), their vendor payloads are
 * normalised into canonical {@link org.citytwin.twin.Reading}s, and a device is acknowledged only
 * once its readings are committed to history and applied to their twins ({@link
 * org.citytwin.ingest.ReadingPipeline}).
 */
package org.citytwin.ingest;
