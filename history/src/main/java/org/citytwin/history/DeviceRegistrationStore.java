package org.citytwin.history;

import java.util.Collection;
import java.util.List;

/**
 * The device registry's durable copy: each device's registration as the JSON text ingest's registry
 * writes (hashed credentials only), keyed by tenant and device id. History keeps the text without
 * reading it, so the registry's format can grow without a schema change here.
 */
public interface DeviceRegistrationStore {

  /** One stored registration. */
  record Registration(String tenant, String deviceId, String json) {}

  /** Every registration, in tenant and device-id order. */
  List<Registration> all();

  /**
   * Stores {@code registrations}, replacing any with the same tenant and device id, all or none.
   *
   * @throws HistoryUnavailableException if the database refuses; nothing is stored then
   */
  void putAll(Collection<Registration> registrations);

  /**
   * Removes a registration.
   *
   * @return whether there was one
   * @throws HistoryUnavailableException if the database refuses
   */
  boolean remove(String tenant, String deviceId);
}
