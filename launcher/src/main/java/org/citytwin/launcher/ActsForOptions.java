package org.citytwin.launcher;

import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Whom a credential acts for, as {@code citytwin token} and {@code citytwin api-key create} take
 * it: one department, or with {@code --district} the whole district.
 */
final class ActsForOptions {

  @Option(
      names = "--department",
      paramLabel = "NAME",
      description = "The department (and namespace) it acts for, such as water.")
  String department;

  @Option(names = "--district", description = "Read the whole district (the district role).")
  boolean wholeDistrict;

  /**
   * The department; empty for the whole district.
   *
   * @throws IllegalArgumentException unless exactly one of the two was given
   */
  Optional<String> department() {
    if ((department == null) == !wholeDistrict) {
      throw new IllegalArgumentException("name a --department, or give --district");
    }
    return Optional.ofNullable(department);
  }
}
