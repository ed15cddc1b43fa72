package io.airlock.health;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health component {@code db}, part of readiness, in place of Spring Boot's own: that one waits
 * for a pool connection as long as Hikari's connection-timeout (30 s) and then validates it
 * without a time limit, so a probe with the database gone answered after 30 s and the probes
 * after it queued behind it. This one borrows a connection and has the driver confirm it
 * ({@link Connection#isValid}, {@link #VALIDATION_TIMEOUT_SECONDS}), all within
 * {@link TimeBoundedHealthIndicator#DEADLINE}. The bean name {@code dbHealthIndicator} is the one
 * Spring Boot's auto-configuration steps back for, and keeps the component's name {@code db}.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseHealth {

  static final int VALIDATION_TIMEOUT_SECONDS = 1;

  @Bean
  HealthIndicator dbHealthIndicator(DataSource dataSource) {
    return new TimeBoundedHealthIndicator("the database", () -> check(dataSource));
  }

  static Health check(DataSource dataSource) {
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      return down(e);
    }
    try (connection) {
      if (connection.isValid(VALIDATION_TIMEOUT_SECONDS)) {
        return Health.up().withDetail("database", connection.getMetaData().getDatabaseProductName())
            .withDetail("validationQuery", "isValid()").build();
      }
      evict(dataSource, connection);
      return Health.down().withDetail("validationQuery", "isValid()")
          .withDetail("error", "the database did not confirm the connection within " + VALIDATION_TIMEOUT_SECONDS + " s")
          .build();
    } catch (SQLException e) {
      evict(dataSource, connection);
      return down(e);
    }
  }

  /**
   * A connection that failed leaves the pool now. Hikari would hand it out again unchecked to a
   * probe that comes within half a second (it validates only connections idle longer), and
   * evicts on its own only for SQL states it knows to mean a broken connection.
   */
  private static void evict(DataSource dataSource, Connection connection) {
    try {
      if (dataSource.isWrapperFor(HikariDataSource.class)) {
        dataSource.unwrap(HikariDataSource.class).evictConnection(connection);
      }
    } catch (SQLException e) {
      // Then the pool's own validation finds it.
    }
  }

  private static Health down(SQLException e) {
    return Health.down().withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
  }
}
