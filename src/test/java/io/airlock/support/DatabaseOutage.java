package io.airlock.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL outage as Airlock sees one (a restart, a fail-over): the test's embedded server
 * refuses every new connection to the database {@code postgres} and ends those open, until it is
 * allowed again. Done from {@code template1}: PostgreSQL will not disallow connections to the
 * database the command is connected to.
 */
public final class DatabaseOutage {

  private DatabaseOutage() {
  }

  /** {@code jdbcUrl} of the test's database {@code postgres}, user {@code postgres}. */
  public static void set(String jdbcUrl, boolean away) throws SQLException {
    try (Connection admin = DriverManager.getConnection(jdbcUrl.replace("/postgres?", "/template1?"), "postgres", "");
        Statement sql = admin.createStatement()) {
      sql.execute("ALTER DATABASE postgres WITH ALLOW_CONNECTIONS " + !away);
      if (away) {
        sql.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'postgres'");
      }
    }
  }
}
