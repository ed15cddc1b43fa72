package io.airlock.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * The db check against a real pool and a real database server that goes away and comes back:
 * Hikari with Airlock's 30 s connection-timeout, an H2 TCP server stopped and started again on
 * the same port, probes 0.2 s apart. What a load balancer sees: UP; DOWN within 2 s at every
 * probe while the server is gone (first the dead pooled connection's error, which evicts it,
 * then "no answer" while the pool waits for a new one); UP again without a restart. Without the
 * eviction the probes kept getting the dead connection and never saw the server come back.
 */
class DatabaseHealthTest {

  @TempDir Path dir;

  @Test
  void downWithinTwoSecondsOfLosingTheDatabaseAndUpOnceItIsBack() throws Exception {
    Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    int port = server.getPort();
    try (HikariDataSource pool = new HikariDataSource()) {
      pool.setJdbcUrl("jdbc:h2:tcp://127.0.0.1:" + port + "/" + dir.resolve("airlock").toAbsolutePath());
      pool.setUsername("sa");
      pool.setPassword("");
      pool.setConnectionTimeout(30_000);
      pool.setMaximumPoolSize(2);
      HealthIndicator db = new DatabaseHealth().dbHealthIndicator(pool);
      assertThat(db.health().getStatus()).isEqualTo(Status.UP);

      server.stop();
      Health answer = null;
      for (int probe = 0; probe < 4; probe++) {
        Thread.sleep(200);
        long asked = System.nanoTime();
        answer = db.health();
        assertThat(answer.getStatus()).as("probe %d: %s", probe, answer).isEqualTo(Status.DOWN);
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(2));
      }
      // The dead connection was evicted; the pool waits for a new one (up to 30 s), the probe does not.
      assertThat(answer.getDetails()).containsEntry("error", "no answer from the database within 1.5 s");

      server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists").start();
      long back = System.nanoTime();
      answer = db.health();
      while (answer.getStatus() != Status.UP && System.nanoTime() - back < Duration.ofSeconds(10).toNanos()) {
        Thread.sleep(200);
        answer = db.health();
      }
      assertThat(answer.getStatus()).as("UP again without a restart").isEqualTo(Status.UP);
    } finally {
      server.stop();
    }
  }
}
