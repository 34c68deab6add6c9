package org.citytwin.history;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach PostgreSQL.
 *
 * @param url a pgjdbc URL, for example {@code jdbc:postgresql://127.0.0.1:5432/citytwin}
 * @param user the user; empty for the driver's default
 * @param password the password; empty for none (trust or peer authentication)
 * @param schema the schema citytwin's tables live in; created if missing
 */
public record PostgresSettings(String url, String user, String password, String schema) {

  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public PostgresSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + url);
    }
    if (schema == null || !SCHEMA.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "a schema name is lower-case letters, digits and _: " + schema);
    }
  }

  @Override
  public String toString() {
    return "PostgresSettings[url=" + url + ", user=" + user + ", schema=" + schema + "]";
  }
}
