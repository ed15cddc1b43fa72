package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.airlock.audit.AuditWatch;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The embedded default as an insider with the database file would attack it (issue 29): Airlock
 * on its H2 file and its in-process emulator ships its audit log and is stopped; the file is
 * edited (an entry changed, an entry deleted, or the last two entries cut with the chain head and
 * the shipping checkpoint set back to match); Airlock is started again. Nobody calls verify: the
 * check Airlock runs at start finds it, and the operator sees it where they look (the metric,
 * the health, one ERROR line) and the security group is told (here through the chat webhook).
 * The emulator's S3 kept the anchors beside the database, so even the cut is found.
 */
class EmbeddedDefaultTamperIntegrationTest {

  @TempDir Path dir;
  ConfigurableApplicationContext app;
  HttpServer chat;
  final List<String> messages = new CopyOnWriteArrayList<>();
  final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  final Logger watchLog = (Logger) LoggerFactory.getLogger(AuditWatch.class);

  @BeforeEach
  void listen() throws IOException {
    chat = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    chat.createContext("/hook", exchange -> {
      messages.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    chat.start();
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    chat.stop(0);
    watchLog.detachAppender(lines);
  }

  @Test
  void aChangedADeletedAndACutEntryAreFoundAtTheNextStartWithoutAnyoneAsking() throws IOException {
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
    // Before any tampering the start check found the log whole, and says so.
    awaitFinding();
    assertThat(gauge("airlock_audit_chain_intact")).isEqualTo(1.0);
    assertThat(health().path("status").asText()).isEqualTo("UP");
    app.close();
    app = null;
    assertThat(Files.isDirectory(dir.resolve("airlock-sandbox-s3"))).as("the emulator's S3 beside the database").isTrue();
    Path pristine = Files.createDirectory(dir.resolve("pristine"));
    copy(dir, pristine, pristine);
    long n = shipped[0];
    long changed = n - 4;
    long deleted = n - 3;

    tamperRestartAndExpect(url, pristine, List.of(changed), " was changed after it was written",
        jdbc -> jdbc.update("UPDATE audit_event SET actor = 'grace' WHERE seq = ?", changed));
    tamperRestartAndExpect(url, pristine, List.of(deleted), " is missing",
        jdbc -> jdbc.update("DELETE FROM audit_event WHERE seq = ?", deleted));
    // The tail cut and the chain head and checkpoint set back: the chain alone verifies, the
    // anchors in the emulator's S3 (kept beside the database) do not. (The restarted Airlock
    // writes new entries under the cut numbers; which one differs first from its shipped copy
    // depends on what it wrote at start.)
    tamperRestartAndExpect(url, pristine, List.of(n - 1, n), " was shipped to s3://"
        + DemoOrganization.AUDIT_BUCKET + "/", jdbc -> {
          String hash = jdbc.queryForObject("SELECT hash FROM audit_event WHERE seq = ?", String.class, n - 2);
          jdbc.update("DELETE FROM audit_event WHERE seq > ?", n - 2);
          jdbc.update("UPDATE audit_chain SET last_seq = ?, last_hash = ? WHERE id = 1", n - 2, hash);
          jdbc.update("UPDATE audit_shipping SET last_seq = ?, last_hash = ?, last_key = NULL WHERE id = 1", n - 2,
              hash);
        });
  }

  /**
   * Puts the database file and the emulator's S3 back as they were, tampers with the file while
   * Airlock is stopped, starts it, and without calling verify sees the start check's finding in
   * the metric, the health, one ERROR line, the chat message to the security group and the log
   * itself.
   */
  private void tamperRestartAndExpect(String url, Path pristine, List<Long> entries, String problemAfterEntry,
      Consumer<JdbcTemplate> tamper) throws IOException {
    restore(pristine);
    SingleConnectionDataSource file = new SingleConnectionDataSource(url, "sa", "", true);
    try {
      tamper.accept(new JdbcTemplate(file));
    } finally {
      file.destroy();
    }
    lines.list.clear();
    messages.clear();
    app = start(url);
    AuditWatch.Finding finding = awaitFinding();
    assertThat(finding.intact()).as(finding.toString()).isFalse();
    assertThat(finding.firstBadSeq()).isIn(entries);
    long firstBad = finding.firstBadSeq();
    String problem = "entry " + firstBad + problemAfterEntry;
    assertThat(finding.problem()).startsWith(problem);

    assertThat(gauge("airlock_audit_chain_intact")).isEqualTo(0.0);
    assertThat(gauge("airlock_audit_chain_first_bad_seq")).isEqualTo((double) firstBad);
    JsonNode health = health();
    assertThat(health.path("status").asText()).as(health.toString()).isEqualTo("WARNING");
    assertThat(health.path("components").path("auditChain").path("status").asText()).isEqualTo("WARNING");
    assertThat(health.path("components").path("auditChain").path("details").path("firstBadSeq").asLong())
        .isEqualTo(firstBad);
    assertThat(lines.list).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("Audit log broken at entry " + firstBad + ": "
            + problem));
    // One message about the log (a first inventory scan, if this start makes it, tells the policy authors too).
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(messages)
        .filteredOn(m -> m.contains("Audit log")).singleElement()
        .satisfies(m -> assertThat(m).contains("Audit log tampered with: entry " + firstBad)
            .contains("Found at ").contains("What to do now")));
    JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
        "SELECT count(*) FROM audit_event WHERE action = 'audit.chain-broken' AND details LIKE ?", Long.class,
        "%\"firstBadSeq\":" + firstBad + ",%") == 1);
    app.close();
    app = null;
  }

  private AuditWatch.Finding awaitFinding() {
    AuditWatch watch = app.getBean(AuditWatch.class);
    await().atMost(Duration.ofSeconds(30)).until(() -> watch.finding() != null);
    return watch.finding();
  }

  /** A gauge as Prometheus scrapes it, read by an operator. */
  private double gauge(String name) {
    ApiClient.Reply r = api().get("dave", "/actuator/prometheus");
    assertThat(r.status()).isEqualTo(200);
    Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(r.raw());
    assertThat(m.find()).as(name + " in " + r.raw()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** The health as an operator reads it (with the components' details). */
  private JsonNode health() {
    return api().get("dave", "/actuator/health").body();
  }

  private ConfigurableApplicationContext start(String url) {
    // Spring Boot sets logging up anew at every start (stopping and detaching every appender):
    // listen to the watch's lines after that.
    return new SpringApplicationBuilder(AirlockApplication.class)
        .listeners((ApplicationListener<ApplicationPreparedEvent>) e -> {
          lines.start();
          watchLog.addAppender(lines);
        })
        .run("--server.port=0",
        "--spring.datasource.url=" + url,
        "--airlock.aws.sandbox.port=0",
        "--airlock.inventory.scheduled=false",
        "--airlock.audit.shipping.batch-size=5",
        "--airlock.audit.shipping.initial-delay=PT0S",
        "--airlock.audit.shipping.interval=PT0.2S",
        "--airlock.audit.verify.initial-delay=PT1S",
        "--airlock.notify.webhook.url=http://127.0.0.1:" + chat.getAddress().getPort() + "/hook");
  }

  private ApiClient api() {
    return new ApiClient(((WebServerApplicationContext) app).getWebServer().getPort());
  }

  /** Copies one stopped Airlock's files (the database file, the emulator's S3 folder), leaving out {@code skip}. */
  private static void copy(Path from, Path to, Path skip) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.filter(p -> !p.startsWith(skip)).toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Puts the files back as they were before any tampering (what later starts added goes too). */
  private void restore(Path pristine) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(p -> !p.equals(dir) && !p.startsWith(pristine))
          .sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    copy(pristine, dir, dir.resolve("nothing-to-skip"));
  }
}
