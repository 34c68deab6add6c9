package org.citytwin.api.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * Who is asking, as far as the API's authorisation goes: a department's user owns the things in its
 * department's namespace (a department owns one namespace, named after it), reads what other
 * departments lend it ({@link ThingAccess}) and the incidents its department leads or cooperates
 * on; a caller with the {@value #DISTRICT_ROLE} role (the command centre, the data bureau) sees the
 * whole district. Without authentication configured every caller is {@link #OPEN}.
 *
 * @param subject the user or service, from the token's {@code sub}
 * @param department the department the caller belongs to; empty for district-wide callers
 * @param wholeDistrict whether the caller reads every namespace and incident
 */
public record Caller(String subject, Optional<String> department, boolean wholeDistrict) {

  /** The role that reads the whole district. */
  public static final String DISTRICT_ROLE = "district";

  /** Every caller when the API runs without authentication. */
  public static final Caller OPEN = new Caller("anonymous", Optional.empty(), true);

  public Caller {
    if (!wholeDistrict && department.isEmpty()) {
      throw new IllegalArgumentException("a caller that is not district-wide needs a department");
    }
  }

  /**
   * Whether {@code namespace} is the caller's own (every namespace for district-wide callers): it
   * reads and writes its things and devices. What other departments lend it is decided by {@link
   * ThingAccess}.
   */
  public boolean owns(String namespace) {
    return wholeDistrict || department.get().equals(namespace);
  }

  /** Whether the caller's department leads or cooperates on {@code incident}. */
  public boolean mayRead(JsonObject incident) {
    if (wholeDistrict) {
      return true;
    }
    String own = department.get();
    JsonArray cooperating = incident.getJsonArray("cooperatingDepartments", new JsonArray());
    return own.equals(incident.getString("leadDepartment")) || cooperating.contains(own);
  }
}
