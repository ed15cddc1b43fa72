package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The embedded default as an insider with the database file would attack it (issue 29): Airlock
 * on its H2 file and its in-process emulator ships its audit log, is stopped, the last two entries
 * are cut from the file with the chain head and the shipping checkpoint set back to match, and
 * Airlock is started again. The emulator's S3 kept the anchors beside the database, so
 * verification names the cut instead of calling the log intact.
 */
class EmbeddedDefaultTamperIntegrationTest {

  @TempDir Path dir;
  ConfigurableApplicationContext app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void entriesCutFromTheH2FileAfterTheyWereShippedAreFoundAfterARestart() {
    String url = "jdbc:h2:file:" + dir.resolve("airlock") + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_RECONNECT=FALSE;WRITE_DELAY=0";
    app = start(url);
    ApiClient api = api();
    for (int i = 0; i < 2; i++) {
      ApiClient.Reply r = api.post("alice", "/api/requests", Map.of("system", "AWS", "target",
          DemoOrganization.SANDBOX_ACCOUNT_ID, "principal", "alice", "permission", "PowerUserAccess", "duration",
          "PT1H", "justification", "Tamper test"));
      assertThat(r.status()).as(r.raw()).isEqualTo(201);
    }
    JdbcTemplate live = app.getBean(JdbcTemplate.class);
    long[] shipped = new long[1];
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      shipped[0] = live.queryForObject("SELECT max(seq) FROM audit_event", Long.class);
      assertThat(live.queryForObject("SELECT last_seq FROM audit_shipping WHERE id = 1", Long.class))
          .isEqualTo(shipped[0]);
    });
    JsonNode before = api.get("carol", "/api/audit/verify").body();
    assertThat(before.get("intact").asBoolean()).as(before.toString()).isTrue();
    app.close();
    app = null;
    assertThat(Files.isDirectory(dir.resolve("airlock-sandbox-s3"))).as("the emulator's S3 beside the database").isTrue();

    // Airlock stopped: cut the last two entries and set the chain head and the checkpoint back to match.
    long n = shipped[0];
    SingleConnectionDataSource file = new SingleConnectionDataSource(url, "sa", "", true);
    try {
      JdbcTemplate jdbc = new JdbcTemplate(file);
      String hash = jdbc.queryForObject("SELECT hash FROM audit_event WHERE seq = ?", String.class, n - 2);
      jdbc.update("DELETE FROM audit_event WHERE seq > ?", n - 2);
      jdbc.update("UPDATE audit_chain SET last_seq = ?, last_hash = ? WHERE id = 1", n - 2, hash);
      jdbc.update("UPDATE audit_shipping SET last_seq = ?, last_hash = ?, last_key = NULL WHERE id = 1", n - 2, hash);
    } finally {
      file.destroy();
    }

    app = start(url);
    JsonNode after = api().get("carol", "/api/audit/verify").body();
    assertThat(after.get("intact").asBoolean()).as(after.toString()).isFalse();
    assertThat(after.get("firstBadSeq").asLong()).isBetween(n - 1, n);
    assertThat(after.get("problem").asText()).contains("shipped to s3://" + DemoOrganization.AUDIT_BUCKET + "/");
  }

  private ConfigurableApplicationContext start(String url) {
    return new SpringApplicationBuilder(AirlockApplication.class).run("--server.port=0",
        "--spring.datasource.url=" + url,
        "--airlock.aws.sandbox.port=0",
        "--airlock.inventory.scheduled=false",
        "--airlock.audit.shipping.batch-size=5",
        "--airlock.audit.shipping.initial-delay=PT0S",
        "--airlock.audit.shipping.interval=PT0.2S");
  }

  private ApiClient api() {
    return new ApiClient(((WebServerApplicationContext) app).getWebServer().getPort());
  }
}
