package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.sandbox.AwsSandbox;
import io.airlock.sandbox.DemoOrganization;
import io.airlock.support.ApiClient;
import io.airlock.support.ApiClient.Reply;
import io.airlock.support.AuditBucket;
import io.airlock.support.PostgresTestConfiguration;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The audit log as an auditor relies on it, on PostgreSQL with the emulator's S3 over HTTP:
 * every entry reaches the bucket once; a change the audit row cannot be written for does not
 * happen; verify finds a row edited in the database, and a chain rewritten there with fresh
 * hashes, through the anchors in S3. And the explorer: who has what from the last scan, granted
 * by Airlock or standing, for auditors and operators only.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.3S",
    "airlock.inventory.scheduled=false",
    "airlock.audit.shipping.initial-delay=PT0S",
    "airlock.audit.shipping.interval=PT0.2S",
    "airlock.audit.shipping.batch-size=7",
    "airlock.audit.shipping.prefix=integrity"})
@Import(PostgresTestConfiguration.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditAndExplorerIntegrationTest {

  @LocalServerPort int port;
  @Autowired AwsSandbox sandbox;
  @Autowired JdbcTemplate jdbc;
  @Autowired @Qualifier("auditShippingHealthIndicator") HealthIndicator shippingHealth;

  ApiClient api;
  AuditBucket bucket;

  @BeforeAll
  void clients() {
    api = new ApiClient(port);
    bucket = new AuditBucket(sandbox, DemoOrganization.AUDIT_BUCKET);
  }

  @AfterAll
  void close() {
    bucket.close();
  }

  @Test
  @Order(1)
  void everyEntryIsShippedOnceToTheObjectLockedBucketKeyedByDate() {
    for (int i = 0; i < 3; i++) {
      assertThat(api.post("alice", "/api/requests", request("alice")).status()).isEqualTo(201);
    }
    long rows = awaitAllShipped();

    List<Long> shipped = bucket.seqs("integrity/");
    assertThat(shipped).containsExactlyElementsOf(LongStream.rangeClosed(1, rows).boxed().toList());
    List<String> keys = bucket.keys("integrity/");
    assertThat(keys).allMatch(k -> k.matches("integrity/\\d{4}/\\d{2}/\\d{2}/\\d{20}-\\d{20}-[0-9a-f]{64}\\.jsonl\\.gz"));
    assertThat(keys.size()).isGreaterThan(1); // batches of 7
    // Each object is locked in the bucket: it cannot be replaced.
    assertThat(sandbox.s3().objects(DemoOrganization.AUDIT_BUCKET, "integrity/"))
        .allSatisfy(o -> assertThat(o.lockMode()).isEqualTo("COMPLIANCE"));
    JsonNode last = bucket.entries("integrity/").get((int) rows - 1);
    assertThat(keys.get(keys.size() - 1)).endsWith("-" + last.get("hash").asText() + ".jsonl.gz");
    assertThat(shippingHealth.health().getStatus().getCode()).isEqualTo("UP");

    JsonNode verified = api.get("carol", "/api/audit/verify").body();
    assertThat(verified.get("intact").asBoolean()).as(verified.toString()).isTrue();
    assertThat(verified.get("anchorsChecked").asLong()).isEqualTo(keys.size());
    assertThat(verified.get("anchoredThrough").asLong()).isEqualTo(rows);
    assertThat(api.get("alice", "/api/audit/verify").status()).isEqualTo(403);
  }

  @Test
  @Order(2)
  void aFailingAuditInsertRollsBackTheChangeItRecords() {
    jdbc.execute("""
        CREATE FUNCTION refuse_erins_submission() RETURNS trigger AS $$
        BEGIN
          IF NEW.action = 'request.submitted' AND NEW.actor = 'erin' THEN
            RAISE EXCEPTION 'audit storage refused the entry';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql""");
    jdbc.execute("CREATE TRIGGER refuse_erins_submission BEFORE INSERT ON audit_event "
        + "FOR EACH ROW EXECUTE FUNCTION refuse_erins_submission()");
    try {
      // AWS calls are recorded even when the change they served rolls back (they happened): count the rest
      long auditRows = count("SELECT count(*) FROM audit_event WHERE action <> 'aws.call'");
      Reply r = api.post("erin", "/api/requests", request("erin"));

      assertThat(r.status()).as(r.raw()).isGreaterThanOrEqualTo(500);
      assertThat(count("SELECT count(*) FROM access_request WHERE requester = 'erin'")).isZero();
      assertThat(count("SELECT count(*) FROM act_hi_procinst WHERE start_user_id_ = 'erin'")).isZero();
      assertThat(count("SELECT count(*) FROM audit_event WHERE actor = 'erin' AND action = 'request.submitted'")).isZero();
      assertThat(count("SELECT count(*) FROM audit_event WHERE action <> 'aws.call'")).isEqualTo(auditRows);
    } finally {
      jdbc.execute("DROP TRIGGER refuse_erins_submission ON audit_event");
      jdbc.execute("DROP FUNCTION refuse_erins_submission()");
    }
    // With the audit log writable again the same request goes through.
    assertThat(api.post("erin", "/api/requests", request("erin")).status()).isEqualTo(201);
  }

  @Test
  @Order(3)
  void verifyNamesARowChangedInTheDatabase() {
    awaitAllShipped();
    long seq = jdbc.queryForObject("SELECT min(seq) FROM audit_event WHERE action = 'request.submitted'", Long.class);
    String original = jdbc.queryForObject("SELECT details FROM audit_event WHERE seq = ?", String.class, seq);
    jdbc.update("UPDATE audit_event SET details = ? WHERE seq = ?", original.replace("alice", "mallory"), seq);
    try {
      JsonNode verified = api.get("carol", "/api/audit/verify").body();
      assertThat(verified.get("intact").asBoolean()).isFalse();
      assertThat(verified.get("firstBadSeq").asLong()).isEqualTo(seq);
      assertThat(verified.get("problem").asText()).contains("entry " + seq);
    } finally {
      jdbc.update("UPDATE audit_event SET details = ? WHERE seq = ?", original, seq);
    }
    assertThat(api.get("carol", "/api/audit/verify").body().get("intact").asBoolean()).isTrue();

    // Anchors that cannot be read are not verified: not intact, and it says why.
    sandbox.faults().startOutage("ListObjectsV2", "AccessDenied", 403);
    try {
      JsonNode unverified = api.get("carol", "/api/audit/verify").body();
      assertThat(unverified.get("intact").asBoolean()).isFalse();
      assertThat(unverified.get("problem").asText()).contains("could not be read", "AccessDenied");
      assertThat(unverified.has("firstBadSeq")).isFalse();
    } finally {
      sandbox.faults().endOutage("ListObjectsV2");
    }
  }

  @Test
  @Order(4)
  void theExplorerShowsWhoHasWhatGrantedByAirlockOrStandingToAuditorsOnly() {
    // Standing access from outside Airlock: carol's user and the Auditors group.
    sandbox.state().addAssignment(DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.READ_ONLY_PERMISSION_SET_ARN,
        "USER", DemoOrganization.CAROL_USER_ID);
    sandbox.state().addAssignment(DemoOrganization.PRODUCTION_ACCOUNT_ID, DemoOrganization.VIEW_ONLY_PERMISSION_SET_ARN,
        "GROUP", DemoOrganization.AUDITORS_GROUP_ID);
    // Access Airlock granted: read-only outside production for an hour is approved by policy.
    Reply submitted = api.post("alice", "/api/requests", Map.of("system", "AWS", "target",
        DemoOrganization.SANDBOX_ACCOUNT_ID, "principal", "alice", "permission", "ReadOnlyAccess", "duration", "PT1H",
        "justification", "Explorer test"));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    JsonNode active = api.awaitStatus(id, "ACTIVE");
    assertThat(api.post("dave", "/api/inventory/scan", null).status()).isEqualTo(200);

    JsonNode all = api.get("carol", "/api/explorer").body();
    assertThat(all.get("scannedAt").asText()).isNotBlank();
    JsonNode granted = find(all, "alice", DemoOrganization.SANDBOX_ACCOUNT_ID, "ReadOnlyAccess");
    assertThat(granted.get("source").asText()).isEqualTo("AIRLOCK");
    assertThat(granted.get("requestId").asText()).isEqualTo(id);
    assertThat(granted.get("endsAt").asText()).isEqualTo(active.get("grantEnd").asText());
    assertThat(granted.get("accountName").asText()).isEqualTo("sandbox");
    assertThat(granted.get("managedPolicies").get(0).asText()).isEqualTo("arn:aws:iam::aws:policy/ReadOnlyAccess");
    JsonNode standing = find(all, "carol", DemoOrganization.STAGING_ACCOUNT_ID, "ReadOnlyAccess");
    assertThat(standing.get("source").asText()).isEqualTo("STANDING");
    assertThat(standing.has("requestId")).isFalse();

    // Filters.
    JsonNode alices = api.get("carol", "/api/explorer?principal=alice&account=" + DemoOrganization.SANDBOX_ACCOUNT_ID
        + "&permission=ReadOnlyAccess").body().get("mappings");
    assertThat(alices).hasSize(1);
    assertThat(api.get("dave", "/api/explorer?source=STANDING").body().get("mappings").findValuesAsText("source"))
        .isNotEmpty().containsOnly("STANDING");
    JsonNode auditors = api.get("admin", "/api/explorer?group=Auditors").body().get("mappings");
    assertThat(auditors.findValuesAsText("principalName")).containsOnly("carol", "Auditors").contains("carol", "Auditors");

    // Downloads.
    Reply csv = api.get("carol", "/api/explorer?format=csv&principal=alice");
    assertThat(csv.contentType()).contains("text/csv");
    assertThat(csv.raw().lines().findFirst()).hasValueSatisfying(h -> assertThat(h).startsWith("principalType,principalId"));
    assertThat(csv.raw()).contains("\"" + id + "\"", "AIRLOCK");
    Reply json = api.get("carol", "/api/explorer?format=json&principal=alice");
    assertThat(json.contentType()).contains("application/json");
    assertThat(json.body().get("mappings").findValuesAsText("requestId")).contains(id);

    // Requesters and approvers are refused (and the attempt is on record); bad filters are 400s.
    assertThat(api.get("alice", "/api/explorer").status()).isEqualTo(403);
    assertThat(api.get("bob", "/api/explorer?format=csv").status()).isEqualTo(403);
    assertThat(api.get(null, "/api/explorer").status()).isEqualTo(401);
    await().atMost(Duration.ofSeconds(5)).until(() ->
        count("SELECT count(*) FROM audit_event WHERE action = 'refused.explorer-read' AND actor = 'alice'") == 1);
    Reply bad = api.get("carol", "/api/explorer?account=12&source=MAYBE&format=xml");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("account", "source", "format");
  }

  @Test
  @Order(5)
  void airlocksOwnGrantsAreLiveInTheExplorerExtendedOnesStayAirlockAndBreakGlassIsMarked() {
    // Granted (policy approves read-only outside production for an hour at once): listed within
    // seconds, with no scan in between.
    Reply submitted = api.post("bob", "/api/requests", Map.of("system", "AWS", "target",
        DemoOrganization.STAGING_ACCOUNT_ID, "principal", "bob", "permission", "ReadOnlyAccess", "duration", "PT20M",
        "justification", "Explorer: live grant"));
    assertThat(submitted.status()).as(submitted.raw()).isEqualTo(201);
    String id = submitted.body().get("id").asText();
    JsonNode active = api.awaitStatus(id, "ACTIVE");
    JsonNode live = awaitMapping("bob", DemoOrganization.STAGING_ACCOUNT_ID, "ReadOnlyAccess", id);
    assertThat(live.get("source").asText()).isEqualTo("AIRLOCK");
    assertThat(live.get("accountName").asText()).isEqualTo("staging");
    assertThat(live.get("endsAt").asText()).isEqualTo(active.get("grantEnd").asText());
    assertThat(live.get("breakGlass").asBoolean()).isFalse();

    // Extended: the extension holds the same assignment; after a scan it is still Airlock's, once.
    Reply extended = api.post("bob", "/api/requests/" + id + "/extend", Map.of("by", "PT15M",
        "justification", "Explorer: the rotation takes longer"));
    assertThat(extended.status()).as(extended.raw()).isEqualTo(201);
    String extension = extended.body().get("id").asText();
    JsonNode extendedActive = api.awaitStatus(extension, "ACTIVE");
    api.awaitStatus(id, "SUPERSEDED");
    assertThat(api.post("dave", "/api/inventory/scan", null).status()).isEqualTo(200);
    JsonNode afterScan = api.get("carol", "/api/explorer?principal=bob&account=" + DemoOrganization.STAGING_ACCOUNT_ID
        + "&permission=ReadOnlyAccess").body();
    assertThat(afterScan.get("mappings")).singleElement().satisfies(m -> {
      assertThat(m.get("source").asText()).isEqualTo("AIRLOCK");
      assertThat(m.get("requestId").asText()).isEqualTo(extension);
      assertThat(m.get("endsAt").asText()).isEqualTo(extendedActive.get("grantEnd").asText());
      assertThat(m.get("scannedAt").asText()).isEqualTo(afterScan.get("scannedAt").asText());
    });
    assertThat(api.get("carol", "/api/explorer?source=STANDING&principal=bob").body().get("mappings")
        .findValuesAsText("accountId")).doesNotContain(DemoOrganization.STAGING_ACCOUNT_ID);

    // Break-glass in production: listed at once, and marked.
    Reply glass = api.post("bob", "/api/requests", Map.of("system", "AWS", "target",
        DemoOrganization.PRODUCTION_ACCOUNT_ID, "principal", "bob", "permission", "PowerUserAccess", "duration", "PT30M",
        "justification", "Incident 7: orders failing", "breakGlass", true));
    assertThat(glass.status()).as(glass.raw()).isEqualTo(201);
    String glassId = glass.body().get("id").asText();
    api.awaitStatus(glassId, "ACTIVE");
    JsonNode broken = awaitMapping("bob", DemoOrganization.PRODUCTION_ACCOUNT_ID, "PowerUserAccess", glassId);
    assertThat(broken.get("source").asText()).isEqualTo("AIRLOCK");
    assertThat(broken.get("breakGlass").asBoolean()).isTrue();
    assertThat(api.get("carol", "/api/explorer?source=AIRLOCK&principal=bob").body().get("mappings")
        .findValuesAsText("requestId")).containsExactlyInAnyOrder(extension, glassId);

    // CSV through the Accept header too.
    Reply csv = api.getAccepting("carol", "/api/explorer?principal=bob", "text/csv");
    assertThat(csv.contentType()).contains("text/csv");
    assertThat(csv.raw().lines().findFirst()).hasValueSatisfying(h -> assertThat(h).endsWith(",breakGlass,scannedAt"));
    assertThat(csv.raw()).contains("\"" + glassId + "\"", "true");

    // Revoked: gone within seconds, again without a scan (the last one still saw the extension).
    assertThat(api.post("bob", "/api/requests/" + extension + "/revoke", Map.of("reason", "done")).status())
        .isEqualTo(200);
    assertThat(api.post("bob", "/api/requests/" + glassId + "/revoke", Map.of("reason", "incident over")).status())
        .isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(api.get("carol",
        "/api/explorer?principal=bob").body().get("mappings").findValuesAsText("requestId")).isEmpty());
    JsonNode bobs = api.get("carol", "/api/explorer?principal=bob").body().get("mappings");
    assertThat(bobs).noneMatch(m -> m.get("accountId").asText().equals(DemoOrganization.STAGING_ACCOUNT_ID)
        && m.get("permissionSetName").asText().equals("ReadOnlyAccess"));
    assertThat(bobs).noneMatch(m -> m.get("accountId").asText().equals(DemoOrganization.PRODUCTION_ACCOUNT_ID)
        && m.get("permissionSetName").asText().equals("PowerUserAccess"));
  }

  /** Waits (a few seconds at most, no scan) until the explorer lists the request's grant. */
  private JsonNode awaitMapping(String principal, String account, String permission, String requestId) {
    JsonNode[] found = new JsonNode[1];
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      found[0] = find(api.get("carol", "/api/explorer?principal=" + principal).body(), principal, account, permission);
      assertThat(found[0].path("requestId").asText()).isEqualTo(requestId);
    });
    return found[0];
  }

  private static JsonNode find(JsonNode result, String principal, String account, String permission) {
    for (JsonNode m : result.get("mappings")) {
      if (m.get("principalName").asText().equals(principal) && m.get("accountId").asText().equals(account)
          && m.get("permissionSetName").asText().equals(permission)) {
        return m;
      }
    }
    throw new AssertionError("no mapping " + principal + " / " + account + " / " + permission + " in " + result);
  }

  @Test
  @Order(6)
  void verifyFindsAChainRewrittenInTheDatabaseThroughTheAnchorsInS3() {
    long shippedThrough = awaitAllShipped();
    long from = jdbc.queryForObject("SELECT min(seq) FROM audit_event WHERE action = 'request.submitted' AND actor = 'alice'",
        Long.class) + 1;
    // Someone with write access to the database rewrites the log from an entry on, with fresh
    // hashes that link: the chain alone verifies.
    String prev = jdbc.queryForObject("SELECT hash FROM audit_event WHERE seq = ?", String.class, from - 1);
    for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM audit_event WHERE seq >= ? ORDER BY seq", from)) {
      long seq = ((Number) row.get("seq")).longValue();
      String details = seq == from ? "{\"rewritten\":true}" : (String) row.get("details");
      String hash = sha256(String.join("\n", prev, Long.toString(seq),
          ((Timestamp) row.get("occurred_at")).toInstant().toString(), (String) row.get("actor"),
          (String) row.get("action"), row.get("request_id") == null ? "" : (String) row.get("request_id"), details));
      jdbc.update("UPDATE audit_event SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?", details, prev, hash, seq);
      prev = hash;
    }
    jdbc.update("UPDATE audit_chain SET last_hash = ? WHERE id = 1", prev);

    JsonNode verified = api.get("carol", "/api/audit/verify").body();
    assertThat(verified.get("entriesChecked").asLong()).isEqualTo(shippedThrough);
    assertThat(verified.get("intact").asBoolean()).as(verified.toString()).isFalse();
    assertThat(verified.get("firstBadSeq").asLong()).isEqualTo(from);
    assertThat(verified.get("problem").asText()).contains("entry " + from, "s3://" + DemoOrganization.AUDIT_BUCKET + "/integrity/");

    // The shipper will not anchor entries that continue the rewritten chain: it stops and warns.
    assertThat(api.post("alice", "/api/requests", request("alice")).status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(shippingHealth.health().getStatus().getCode()).isEqualTo("WARNING");
      assertThat(shippingHealth.health().getDetails().get("chainProblem").toString()).contains("does not link");
    });
    assertThat(bucket.seqs("integrity/")).hasSize((int) shippedThrough);
  }

  /** Waits until the bucket holds every entry of the table; returns how many there are. */
  private long awaitAllShipped() {
    long[] rows = new long[1];
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      rows[0] = count("SELECT count(*) FROM audit_event");
      assertThat(count("SELECT last_seq FROM audit_shipping WHERE id = 1")).isEqualTo(rows[0]);
    });
    return rows[0];
  }

  private long count(String sql) {
    return jdbc.queryForObject(sql, Long.class);
  }

  private static Map<String, Object> request(String principal) {
    return Map.of("system", "AWS", "target", DemoOrganization.SANDBOX_ACCOUNT_ID, "principal", principal,
        "permission", "PowerUserAccess", "duration", "PT1H", "justification", "Audit integrity test");
  }

  private static String sha256(String content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
