package io.airlock.web.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.audit.AuditLog;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the Audit page makes of its filters and of an entry's details. */
class AuditPagesTest {

  @Test
  void daysAreTheReadersWholeDays() {
    AuditPages.Filter f = new AuditPages.Filter();
    f.setFrom("2026-12-07");
    f.setTo("2026-12-08");
    f.setOffset(60); // Berlin in winter: UTC+1
    Map<String, String> errors = new LinkedHashMap<>();
    AuditLog.Newest q = f.query(50, errors);
    assertThat(errors).isEmpty();
    assertThat(q.from()).isEqualTo(Instant.parse("2026-12-06T23:00:00Z"));
    assertThat(q.to()).isEqualTo(Instant.parse("2026-12-08T23:00:00Z")); // the last day included
    assertThat(f.queryString()).isEqualTo("&from=2026-12-07&to=2026-12-08&offset=60");

    f.setOffset(null); // without the page's script: UTC
    assertThat(f.query(50, errors).from()).isEqualTo(Instant.parse("2026-12-07T00:00:00Z"));
  }

  @Test
  void aDayThatIsNoDateOrEndsBeforeItStartsIsNamedAtItsField() {
    AuditPages.Filter f = new AuditPages.Filter();
    f.setFrom("7.12.2026");
    Map<String, String> errors = new LinkedHashMap<>();
    f.query(50, errors);
    assertThat(errors).containsOnlyKeys("from");

    f.setFrom("2026-12-08");
    f.setTo("2026-12-07");
    errors.clear();
    f.query(50, errors);
    assertThat(errors).containsEntry("to", "must be on or after the first day");
  }

  @Test
  void theDetailLineSaysWhatPeopleWroteWithoutIds() {
    assertThat(AuditPages.detail(Map.of("comment", "Not during the freeze", "reason", "x"))).isEqualTo("Not during the freeze");
    assertThat(AuditPages.detail(Map.of("reason", "superseded by ba903600-1c2d-4e5f-8a9b-0c1d2e3f4a5b")))
        .isEqualTo("superseded by another request");
    assertThat(AuditPages.detail(Map.of("reasons", List.of("one", "two")))).isEqualTo("one; two");
    assertThat(AuditPages.detail(Map.of("justification", "y".repeat(300)))).hasSize(158).endsWith("…");
    assertThat(AuditPages.detail(Map.of("permission", "ReadOnlyAccess"))).isEmpty();
  }

  @Test
  void theAccountComesFromTheDetailsWhereTheyNameOne() {
    assertThat(AuditPages.account(Map.of("target", "333333333333"))).isEqualTo("333333333333");
    assertThat(AuditPages.account(Map.of("accountId", "222222222222", "target", "333333333333"))).isEqualTo("222222222222");
    assertThat(AuditPages.account(Map.of("target", "not an account"))).isNull();
    assertThat(AuditPages.who("airlock")).isEqualTo("Airlock");
  }
}
