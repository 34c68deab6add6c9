package org.citytwin.fusion.rules;

import java.util.List;
import java.util.Objects;

/**
 * What a rule's incidents are: their type, severity and the departments involved.
 *
 * @param type the incident type, for example {@code waterlogging}
 * @param severity the warning level, for example {@code yellow}
 * @param leadDepartment the department that leads the response
 * @param cooperatingDepartments the departments that cooperate
 */
public record IncidentTemplate(
    String type, String severity, String leadDepartment, List<String> cooperatingDepartments) {

  public IncidentTemplate {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(leadDepartment, "leadDepartment");
    cooperatingDepartments = List.copyOf(cooperatingDepartments);
  }

  /** Whether {@code department} leads or cooperates on these incidents. */
  public boolean involves(String department) {
    return leadDepartment.equals(department) || cooperatingDepartments.contains(department);
  }
}
