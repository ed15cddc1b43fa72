package io.airlock.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL outage as Airlock sees one (a restart, a fail-over): the test's embedded server
 * refuses every new connection to the test's database and ends those open, until it is allowed
 * again. Done from {@code template1}: PostgreSQL will not disallow connections to the database the
 * command is connected to. Other tests' databases on the same server are left alone.
 */
public final class DatabaseOutage {

  private static final Pattern DATABASE = Pattern.compile("/([A-Za-z0-9_]+)\\?");

  private DatabaseOutage() {
  }

  /** {@code jdbcUrl} of the test's database ({@code jdbc:postgresql://host:port/name?...}), user {@code postgres}. */
  public static void set(String jdbcUrl, boolean away) throws SQLException {
    Matcher m = DATABASE.matcher(jdbcUrl);
    if (!m.find()) {
      throw new IllegalArgumentException("no database name in " + jdbcUrl);
    }
    String database = m.group(1);
    try (Connection admin = DriverManager.getConnection(m.replaceFirst("/template1?"), "postgres", "");
        Statement sql = admin.createStatement()) {
      sql.execute("ALTER DATABASE " + database + " WITH ALLOW_CONNECTIONS " + !away);
      if (away) {
        sql.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
      }
    }
  }
}
