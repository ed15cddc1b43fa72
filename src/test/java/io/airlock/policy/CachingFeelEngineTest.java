package io.airlock.policy;

import io.airlock.process.policy.CachingFeelEngineFactory;
import static io.airlock.policy.PolicyFixture.req;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.sandbox.DemoOrganization;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.camunda.bpm.dmn.engine.impl.DefaultDmnEngineConfiguration;
import org.camunda.bpm.engine.variable.Variables;
import org.junit.jupiter.api.Test;

/**
 * The simulation's FEEL engine parses each cell once: it must answer exactly as Camunda's own,
 * and be much faster on two hundred requests.
 */
class CachingFeelEngineTest {

  @Test
  void answersAsCamundasFeelEngineDoesOnTwoHundredRequestsAndIsFaster() {
    DmnEngine plain = DmnEngineConfiguration.createDefaultDmnEngineConfiguration().buildEngine();
    DefaultDmnEngineConfiguration config = (DefaultDmnEngineConfiguration)
        DmnEngineConfiguration.createDefaultDmnEngineConfiguration();
    config.setFeelEngineFactory(new CachingFeelEngineFactory());
    DmnEngine caching = config.buildEngine();

    List<Map<String, Object>> requests = new ArrayList<>();
    String[] permissions = {"ReadOnlyAccess", "ViewOnlyAccess", "PowerUserAccess", "AdministratorAccess",
        "craft:S3_READ_ONLY", "craft:CUSTOM"};
    String[] targets = {DemoOrganization.MANAGEMENT_ACCOUNT_ID, DemoOrganization.SANDBOX_ACCOUNT_ID,
        DemoOrganization.STAGING_ACCOUNT_ID, DemoOrganization.PRODUCTION_ACCOUNT_ID, "999999999999"};
    for (int i = 0; i < 200; i++) {
      var r = req().permission(permissions[i % permissions.length]).target(targets[i % targets.length])
          .duration("PT" + (15 * (1 + i % 40)) + "M").at(ZonedDateTime.of(2026, 12, 1 + i % 7, i % 24, 0, 0, 0,
              ZoneId.of("UTC"))).justification(i % 3 == 0 ? "no ticket" : "INC-" + i).scope("Scope " + i % 5, 60L * (1 + i % 8));
      if (i % 4 == 0) {
        r.requesterGroups("airlock-requesters", "airlock-approvers");
      }
      if (i % 11 == 0) {
        r.forOthers("erin", "airlock-requesters");
      }
      requests.add(r.variables());
    }
    for (String[] table : List.of(new String[] {"/dmn/access-scopes.dmn", "access-scopes"},
        new String[] {"/dmn/auto-approval.dmn", "auto-approval"})) {
      DmnDecision a = PolicyFixture.parse(table[0], table[1]);
      DmnDecision b = caching.parseDecision(table[1], getClass().getResourceAsStream(table[0]));
      // One round (the figure of record is the simulation benchmark, docs/benchmark.md): Camunda's
      // engine takes 5 ms an evaluation here, two rounds of a thousand cost CI most of a minute.
      long plainNanos = 0;
      long cachingNanos = 0;
      for (Map<String, Object> in : requests) {
        long t0 = System.nanoTime();
        var expected = plain.evaluateDecisionTable(a, Variables.fromMap(in)).getResultList();
        long t1 = System.nanoTime();
        var actual = caching.evaluateDecisionTable(b, Variables.fromMap(in)).getResultList();
        long t2 = System.nanoTime();
        plainNanos += t1 - t0;
        cachingNanos += t2 - t1;
        assertThat(actual).isEqualTo(expected);
      }
      System.out.printf("FEEL %s: 200 evaluations, Camunda's engine %d ms, parsing once %d ms%n", table[1],
          plainNanos / 1_000_000, cachingNanos / 1_000_000);
      assertThat(cachingNanos).isLessThan(plainNanos);
    }
  }
}
