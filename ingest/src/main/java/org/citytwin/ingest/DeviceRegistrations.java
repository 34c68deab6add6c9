package org.citytwin.ingest;

import java.util.List;
import java.util.Map;

/**
 * Where the {@link DeviceRegistry} keeps its registrations durably: each as the JSON text of {@link
 * DeviceRegistry#toJson(Device)}. The launcher backs it with the configured database; calls block,
 * so the registry's writers run on worker threads.
 */
public interface DeviceRegistrations {

  /** Registrations that live only as long as the process: for tests and tools. */
  DeviceRegistrations NOT_KEPT =
      new DeviceRegistrations() {
        @Override
        public List<String> load() {
          return List.of();
        }

        @Override
        public void store(Map<DeviceId, String> registrations) {}

        @Override
        public void remove(DeviceId id) {}
      };

  /** Every stored registration. */
  List<String> load();

  /**
   * Stores {@code registrations}, replacing those with the same ids, all or none.
   *
   * @throws RuntimeException if they cannot be stored; then none is
   */
  void store(Map<DeviceId, String> registrations);

  /**
   * Forgets one registration, if stored.
   *
   * @throws RuntimeException if the store refuses
   */
  void remove(DeviceId id);
}
