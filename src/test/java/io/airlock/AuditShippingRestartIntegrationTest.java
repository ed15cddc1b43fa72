package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.audit.AuditShipper;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.sandbox.SandboxSettings;
import io.airlock.support.ApiClient;
import io.airlock.support.AuditBucket;
import io.airlock.support.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Audit shipping through an S3 outage and an application restart, counted in the bucket: no
 * entry lost, none shipped twice. The test owns PostgreSQL and the AWS emulator (so both outlive
 * the application) and starts Airlock on them twice, as an operator restarting it would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditShippingRestartIntegrationTest {

  private static final String PREFIX = "restart/";

  EmbeddedPostgres postgres;
  AwsSandbox sandbox;
  AuditBucket bucket;
  JdbcTemplate jdbc;
  ConfigurableApplicationContext app;

  @BeforeAll
  void start() throws IOException {
    postgres = TestPostgres.start();
    sandbox = AwsSandbox.start(SandboxSettings.defaults().withPort(0).withOperationDelay(Duration.ofMillis(300)));
    bucket = new AuditBucket(sandbox, DemoOrganization.AUDIT_BUCKET);
    jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
  }

  /** Each test's Airlock stops with it: one left running would keep polling a database that is gone. */
  @AfterEach
  void stopAirlock() {
    if (app != null) {
      app.close();
      app = null;
    }
  }

  @AfterAll
  void stop() throws IOException {
    bucket.close();
    sandbox.close();
    postgres.close();
  }

  @Test
  void shippingSurvivesAnS3OutageAndARestartWithNoEntryLostAndNoneRepeated() {
    app = startAirlock();
    ApiClient api = api();
    submit(api, 2);
    long before = awaitAllShipped();
    assertThat(bucket.seqs(PREFIX)).containsExactlyElementsOf(oneTo(before));

    // S3 goes down: entries wait in the database, the lag shows, nothing is lost.
    sandbox.faults().startOutage("PutObject", "ServiceUnavailable", 503);
    submit(api, 2);
    AuditShipper shipper = app.getBean(AuditShipper.class);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(shipper.status().consecutiveFailures()).isGreaterThanOrEqualTo(2);
      assertThat(shipper.status().lagEvents()).isEqualTo(count() - before);
    });
    assertThat(app.getBean(MeterRegistry.class).get("airlock.audit.shipping.lag.events").gauge().value())
        .isEqualTo((double) (count() - before));
    assertThat(shipper.status().lastError()).contains("503");
    HealthIndicator health = app.getBean("auditShippingHealthIndicator", HealthIndicator.class);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(health.health().getStatus().getCode()).isEqualTo("WARNING"); // max-lag is 1 s here
      assertThat(health.health().getDetails()).containsKeys("lagEvents", "lagSeconds", "lastError", "nextAttempt");
    });
    assertThat(bucket.seqs(PREFIX)).hasSize((int) before);

    // Restart during the outage. And as if the node had died between storing its last object
    // and committing the checkpoint: the checkpoint is one object behind the bucket.
    app.close();
    app = null;
    String lastKey = jdbc.queryForObject("SELECT last_key FROM audit_shipping WHERE id = 1", String.class);
    long lastFirst = Long.parseLong(lastKey.substring(lastKey.lastIndexOf('/') + 1).substring(0, 20));
    jdbc.update("UPDATE audit_shipping SET last_seq = ?, last_hash = (SELECT hash FROM audit_event WHERE seq = ?), "
        + "last_key = NULL WHERE id = 1", lastFirst - 1, lastFirst - 1);

    app = startAirlock();
    api = api();
    submit(api, 1);
    AuditShipper restarted = app.getBean(AuditShipper.class);
    await().atMost(Duration.ofSeconds(30)).until(() -> restarted.status().consecutiveFailures() >= 1);
    sandbox.faults().endOutage("PutObject");

    long total = awaitAllShipped();
    assertThat(total).isGreaterThan(before);
    List<Long> shipped = bucket.seqs(PREFIX);
    assertThat(shipped).as("every entry once, in order").containsExactlyElementsOf(oneTo(total));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(restarted.status().lagEvents()).isZero());
    assertThat(app.getBean("auditShippingHealthIndicator", HealthIndicator.class).health().getStatus().getCode())
        .isEqualTo("UP");

    JsonNode verified = api.get("carol", "/api/audit/verify").body();
    assertThat(verified.get("intact").asBoolean()).as(verified.toString()).isTrue();
    assertThat(verified.get("anchoredThrough").asLong()).isEqualTo(total);
  }

  @Test
  void aGracefulStopShipsTheTailSoNoEntryIsLeftWithoutAnAnchor() {
    // Shipping only at the start and at the stop: whatever is written in between waits for the stop.
    app = startAirlock("--airlock.audit.shipping.initial-delay=PT1H", "--airlock.audit.shipping.interval=PT1H");
    ApiClient api = api();
    submit(api, 1);
    long written = count();
    long before = jdbc.queryForObject("SELECT last_seq FROM audit_shipping WHERE id = 1", Long.class);
    assertThat(before).as("nothing shipped while it ran").isLessThan(written);
    app.close();
    app = null;
    long after = jdbc.queryForObject("SELECT last_seq FROM audit_shipping WHERE id = 1", Long.class);
    assertThat(after).as("the tail was shipped at the stop").isEqualTo(count()).isGreaterThanOrEqualTo(written);
    assertThat(bucket.seqs(PREFIX)).endsWith(after);
  }

  /** Airlock on the test's database and emulator; {@code more} replaces the settings it names. */
  private ConfigurableApplicationContext startAirlock(String... more) {
    java.util.List<String> all = new java.util.ArrayList<>();
    for (String arg : startArgs()) {
      String key = arg.substring(0, arg.indexOf('=') + 1);
      if (java.util.Arrays.stream(more).noneMatch(m -> m.startsWith(key))) {
        all.add(arg);
      }
    }
    all.addAll(java.util.List.of(more));
    return new SpringApplicationBuilder(AirlockApplication.class)
        .initializers(ctx -> ctx.getBeanFactory().registerSingleton("awsSandbox", sandbox))
        .run(all.toArray(String[]::new));
  }

  private String[] startArgs() {
    return new String[] {"--server.port=0",
        "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
        "--spring.datasource.username=postgres",
        "--spring.datasource.password=",
        "--airlock.aws.sandbox.enabled=false",
        "--airlock.inventory.scheduled=false",
        "--airlock.audit.shipping.enabled=true",
        "--airlock.audit.shipping.prefix=" + PREFIX,
        "--airlock.audit.shipping.batch-size=5",
        "--airlock.audit.shipping.initial-delay=PT0S",
        "--airlock.audit.shipping.interval=PT0.2S",
        "--airlock.audit.shipping.max-backoff=PT0.5S",
        "--airlock.audit.shipping.max-lag=PT1S"};
  }

  private ApiClient api() {
    return new ApiClient(((WebServerApplicationContext) app).getWebServer().getPort());
  }

  private static void submit(ApiClient api, int n) {
    for (int i = 0; i < n; i++) {
      ApiClient.Reply r = api.post("alice", "/api/requests", Map.of("system", "AWS",
          "target", DemoOrganization.SANDBOX_ACCOUNT_ID, "principal", "alice", "permission", "PowerUserAccess",
          "duration", "PT1H", "justification", "Shipping restart test"));
      assertThat(r.status()).as(r.raw()).isEqualTo(201);
    }
  }

  private long awaitAllShipped() {
    long[] rows = new long[1];
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      rows[0] = count();
      assertThat(jdbc.queryForObject("SELECT last_seq FROM audit_shipping WHERE id = 1", Long.class)).isEqualTo(rows[0]);
    });
    return rows[0];
  }

  private long count() {
    return jdbc.queryForObject("SELECT count(*) FROM audit_event", Long.class);
  }

  private static List<Long> oneTo(long n) {
    return LongStream.rangeClosed(1, n).boxed().toList();
  }
}
