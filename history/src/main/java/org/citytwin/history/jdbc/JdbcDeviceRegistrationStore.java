package org.citytwin.history.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.citytwin.history.DeviceRegistrationStore;
import org.citytwin.history.HistoryUnavailableException;

/**
 * Device registrations in plain SQL that DuckDB and PostgreSQL both run, on their own connection. A
 * replacement is a delete and an insert in one transaction: both databases run that alike, unlike
 * their upsert dialects on older versions.
 */
public final class JdbcDeviceRegistrationStore implements DeviceRegistrationStore, AutoCloseable {

  private final Connection connection;

  public JdbcDeviceRegistrationStore(Connection connection) throws SQLException {
    this.connection = connection;
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          """
          CREATE TABLE IF NOT EXISTS device_registration (
            tenant       VARCHAR NOT NULL,
            device_id    VARCHAR NOT NULL,
            registration VARCHAR NOT NULL,
            PRIMARY KEY (tenant, device_id)
          )""");
    }
  }

  @Override
  public synchronized List<Registration> all() {
    try (Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      List<Registration> registrations = new ArrayList<>();
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT tenant, device_id, registration FROM device_registration"
                  + " ORDER BY tenant, device_id")) {
        while (rows.next()) {
          registrations.add(
              new Registration(rows.getString(1), rows.getString(2), rows.getString(3)));
        }
      }
      return registrations;
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot read the device registrations", e);
    }
  }

  @Override
  public synchronized void putAll(Collection<Registration> registrations) {
    if (registrations.isEmpty()) {
      return;
    }
    try (PreparedStatement delete =
            connection.prepareStatement(
                "DELETE FROM device_registration WHERE tenant = ? AND device_id = ?");
        PreparedStatement insert =
            connection.prepareStatement("INSERT INTO device_registration VALUES (?, ?, ?)")) {
      connection.setAutoCommit(false);
      for (Registration registration : registrations) {
        delete.setString(1, registration.tenant());
        delete.setString(2, registration.deviceId());
        delete.addBatch();
        insert.setString(1, registration.tenant());
        insert.setString(2, registration.deviceId());
        insert.setString(3, registration.json());
        insert.addBatch();
      }
      delete.executeBatch();
      insert.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      rollback();
      throw new HistoryUnavailableException(
          "cannot store " + registrations.size() + " device registrations", e);
    }
  }

  @Override
  public synchronized boolean remove(String tenant, String deviceId) {
    try (PreparedStatement delete =
        connection.prepareStatement(
            "DELETE FROM device_registration WHERE tenant = ? AND device_id = ?")) {
      connection.setAutoCommit(true);
      delete.setString(1, tenant);
      delete.setString(2, deviceId);
      return delete.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot remove device " + tenant + "/" + deviceId, e);
    }
  }

  private void rollback() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // The original failure is the one worth reporting.
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new HistoryUnavailableException("cannot close the device registration store", e);
    }
  }
}
