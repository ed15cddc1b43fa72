package io.airlock.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * Readiness answers within 2 s whatever is down (issue 22): a check that blocks is DOWN in time,
 * the probes after it neither wait longer nor start checks of their own, and the answer is UP
 * again once what it checks answers.
 */
class TimeBoundedHealthIndicatorTest {

  @Test
  void aCheckThatBlocksIsDownInTimeDoesNotPileUpAndRecovers() throws Exception {
    CountDownLatch released = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    HealthIndicator blocking = () -> {
      started.incrementAndGet();
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Health.up().build();
    };
    TimeBoundedHealthIndicator health = new TimeBoundedHealthIndicator("the database", blocking);

    for (int probe = 0; probe < 3; probe++) {
      Answer answer = timed(health);
      assertThat(answer.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(answer.health().getDetails()).containsEntry("error", "no answer from the database within 1.5 s");
      assertThat(answer.took()).isLessThan(Duration.ofSeconds(2));
    }
    assertThat(started).as("the probes wait for the one check in flight, none starts another").hasValue(1);

    released.countDown();
    assertThat(timed(health).health().getStatus()).isEqualTo(Status.UP);
  }

  @Test
  void aCheckThatFailsIsDownWithItsError() {
    TimeBoundedHealthIndicator health = new TimeBoundedHealthIndicator("AWS", () -> {
      throw new IllegalStateException("no route");
    });
    Health answer = health.health();
    assertThat(answer.getStatus()).isEqualTo(Status.DOWN);
    assertThat(answer.getDetails().get("error")).asString().contains("IllegalStateException", "no route");
  }

  @Test
  void theDatabaseCheckIsDownWithinTwoSecondsWhileConnectionsHangAndUpOnceTheyCome() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    AtomicInteger asked = new AtomicInteger();
    DataSource hanging = hangingWhile(down, asked);
    HealthIndicator db = new DatabaseHealth().dbHealthIndicator(hanging);

    long since = System.nanoTime();
    for (int probe = 0; probe < 3; probe++) {
      Answer answer = timed(db);
      assertThat(answer.health().getStatus()).isEqualTo(Status.DOWN);
      assertThat(answer.health().getDetails()).containsEntry("error", "no answer from the database within 1.5 s");
      assertThat(answer.took()).isLessThan(Duration.ofSeconds(2));
    }
    assertThat(asked).as("one connection attempt in flight, not one per probe").hasValue(1);

    down.set(false);
    // The attempt in flight returns within its sleep step (0.1 s); the next probe checks anew.
    Thread.sleep(200);
    Answer recovered = timed(db);
    assertThat(recovered.health().getStatus()).isEqualTo(Status.UP);
    assertThat(recovered.health().getDetails()).containsEntry("database", "H2").containsEntry("validationQuery", "isValid()");
    assertThat(Duration.ofNanos(System.nanoTime() - since)).isLessThan(Duration.ofSeconds(8));
  }

  /** An H2 database whose getConnection hangs (as Hikari's does, up to 30 s, with the database gone) while {@code down}. */
  private static DataSource hangingWhile(AtomicBoolean down, AtomicInteger asked) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:health-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getConnection")) {
            asked.incrementAndGet();
            while (down.get()) {
              TimeUnit.MILLISECONDS.sleep(100);
            }
          }
          try {
            return method.invoke(h2, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private record Answer(Health health, Duration took) {}

  private static Answer timed(HealthIndicator indicator) {
    long start = System.nanoTime();
    Health health = indicator.health();
    return new Answer(health, Duration.ofNanos(System.nanoTime() - start));
  }
}
