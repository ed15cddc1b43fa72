package io.airlock.support;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The whole application on a real PostgreSQL: a database of its own on the server this JVM's
 * tests share ({@link TestPostgres#newDatabase()}). The database is a bean that Spring drops when
 * the context closes (after the engine and the pool have stopped). The pool takes the same
 * {@code spring.datasource.hikari.*} settings as the application's own data source.
 */
@TestConfiguration(proxyBeanMethods = false)
public class PostgresTestConfiguration {

  @Bean(destroyMethod = "close")
  TestPostgres.Database testDatabase() throws IOException {
    return TestPostgres.newDatabase();
  }

  @Bean
  @ConfigurationProperties("spring.datasource.hikari")
  HikariDataSource dataSource(TestPostgres.Database database) {
    return DataSourceBuilder.create().type(HikariDataSource.class)
        .url(database.jdbcUrl())
        .username("postgres")
        .build();
  }
}
