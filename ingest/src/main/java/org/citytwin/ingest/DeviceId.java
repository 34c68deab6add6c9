package org.citytwin.ingest;

import java.util.regex.Pattern;

/**
 * A device as Eclipse Hono names it: a tenant (in citytwin, the owning department) and a device id
 * unique within it.
 */
public record DeviceId(String tenant, String device) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

  public DeviceId {
    if (tenant == null || !NAME.matcher(tenant).matches()) {
      throw new IllegalArgumentException("not a tenant id: " + tenant);
    }
    if (device == null || !NAME.matcher(device).matches()) {
      throw new IllegalArgumentException("not a device id: " + device);
    }
  }

  @Override
  public String toString() {
    return tenant + "/" + device;
  }
}
