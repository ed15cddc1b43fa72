package io.airlock.health;

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
    try (Connection connection = dataSource.getConnection()) {
      if (!connection.isValid(VALIDATION_TIMEOUT_SECONDS)) {
        return Health.down().withDetail("validationQuery", "isValid()")
            .withDetail("error", "the database did not confirm the connection within " + VALIDATION_TIMEOUT_SECONDS + " s")
            .build();
      }
      return Health.up().withDetail("database", connection.getMetaData().getDatabaseProductName())
          .withDetail("validationQuery", "isValid()").build();
    } catch (SQLException e) {
      return Health.down().withDetail("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
    }
  }
}
