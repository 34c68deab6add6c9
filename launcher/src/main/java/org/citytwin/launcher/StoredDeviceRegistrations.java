package org.citytwin.launcher;

import java.util.List;
import java.util.Map;
import org.citytwin.history.DeviceRegistrationStore;
import org.citytwin.ingest.DeviceId;
import org.citytwin.ingest.DeviceRegistrations;

/** The device registry's registrations kept in the configured database. */
record StoredDeviceRegistrations(DeviceRegistrationStore store) implements DeviceRegistrations {

  @Override
  public List<String> load() {
    return store.all().stream().map(DeviceRegistrationStore.Registration::json).toList();
  }

  @Override
  public void store(Map<DeviceId, String> registrations) {
    store.putAll(
        registrations.entrySet().stream()
            .map(
                entry ->
                    new DeviceRegistrationStore.Registration(
                        entry.getKey().tenant(), entry.getKey().device(), entry.getValue()))
            .toList());
  }

  @Override
  public void remove(DeviceId id) {
    store.remove(id.tenant(), id.device());
  }
}
