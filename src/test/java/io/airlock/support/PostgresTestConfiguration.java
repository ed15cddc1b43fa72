package io.airlock.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The whole application on a real PostgreSQL. The server is a bean that Spring closes when the
 * context closes (after the engine has stopped), not at JVM exit.
 */
@TestConfiguration(proxyBeanMethods = false)
public class PostgresTestConfiguration {

  @Bean(destroyMethod = "close")
  EmbeddedPostgres embeddedPostgres() throws IOException {
    return TestPostgres.start();
  }

  @Bean
  DataSource dataSource(EmbeddedPostgres postgres) {
    return DataSourceBuilder.create()
        .url(postgres.getJdbcUrl("postgres", "postgres"))
        .username("postgres")
        .build();
  }
}
