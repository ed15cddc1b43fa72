package io.airlock;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.audit.AuditEvent;
import io.airlock.audit.AuditLog;
import io.airlock.support.PostgresTestConfiguration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * The audit log newest first (the Audit page): the same entries as the API's oldest-first search,
 * in reverse, paged backwards by cursor, with the filters applied. Same properties as the portal's
 * browser tests, so it runs on their cached context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "airlock.aws.sandbox.port=0",
    "airlock.aws.sandbox.operation-delay=PT0.2S",
    "camunda.bpm.job-execution.wait-time-in-millis=200",
    "camunda.bpm.job-execution.max-wait=1000"})
@Import(PostgresTestConfiguration.class)
class AuditNewestIntegrationTest {

  @Autowired AuditLog audit;

  @Test
  void newestFirstIsTheSearchReversedPagedBackwardsAndFiltered() {
    String actor = "auditor-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 5; i++) {
      assertThat(audit.recordOwn(actor, i % 2 == 0 ? "test.even" : "test.odd", null, Map.of("i", i))).isTrue();
    }
    assertThat(audit.recordOwn("someone-else", "test.even", null, Map.of())).isTrue();

    List<AuditEvent> oldest = audit.search(new AuditLog.Query(null, null, actor, null, null, null, 0, 100));
    assertThat(oldest).hasSize(5);

    List<AuditEvent> newest = new ArrayList<>();
    long before = 0;
    for (int page = 0; page < 3; page++) {
      List<AuditEvent> got = audit.newest(new AuditLog.Newest(null, null, actor, null, null, null, before, 2));
      newest.addAll(got);
      if (got.size() < 2) {
        break;
      }
      before = got.get(got.size() - 1).seq();
    }
    List<Long> reversed = new ArrayList<>(oldest.stream().map(AuditEvent::seq).toList());
    java.util.Collections.reverse(reversed);
    assertThat(newest).extracting(AuditEvent::seq).containsExactlyElementsOf(reversed);
    assertThat(newest.get(0).details()).isEqualTo("{\"i\":4}");

    assertThat(audit.newest(new AuditLog.Newest(null, null, actor, null, "test.even", null, 0, 10)))
        .extracting(AuditEvent::details).containsExactly("{\"i\":4}", "{\"i\":2}", "{\"i\":0}");
    assertThat(audit.newest(new AuditLog.Newest(oldest.get(4).occurredAt().plusSeconds(3600), null, actor, null, null,
        null, 0, 10))).isEmpty();
  }
}
