package io.airlock.policy;

import io.airlock.sandbox.DemoOrganization;
import java.io.InputStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.camunda.bpm.dmn.engine.DmnDecision;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.dmn.engine.DmnEngine;
import org.camunda.bpm.dmn.engine.DmnEngineConfiguration;
import org.camunda.bpm.engine.variable.Variables;

/**
 * Builds the decision tables' variables as Airlock does ({@link PolicyInputs}), for requests on
 * the sandbox's demo organization (its accounts' OU paths and tags), and evaluates a table with
 * the DMN engine alone.
 */
final class PolicyFixture {

  static final Map<String, String> DEFAULT_GROUPS = groups("airlock-requesters", "airlock-approvers", "airlock-security");
  static final Pattern TICKET = Pattern.compile("\\b[A-Z][A-Z0-9]{1,9}-\\d{1,9}\\b");
  /** A Tuesday, 10:00 UTC: business hours. */
  static final ZonedDateTime TUESDAY_10 = ZonedDateTime.of(2026, 12, 1, 10, 0, 0, 0, java.time.ZoneId.of("UTC"));

  private static final ThreadLocal<List<String>> MATCHED = ThreadLocal.withInitial(List::of);

  /** The DMN engine alone, remembering which rules matched in the last evaluation on this thread. */
  static final DmnEngine ENGINE = engine();

  private static DmnEngine engine() {
    var config = (org.camunda.bpm.dmn.engine.impl.DefaultDmnEngineConfiguration)
        DmnEngineConfiguration.createDefaultDmnEngineConfiguration();
    config.customPostDecisionTableEvaluationListeners(List.of(event -> MATCHED.set(
        event.getMatchingRules().stream().map(r -> r.getId()).toList())));
    return config.buildEngine();
  }

  /** The ids of the rules that matched in the last evaluation on this thread. */
  static List<String> matchedRuleIds() {
    return MATCHED.get();
  }

  private PolicyFixture() {}

  /** The configured group names by role; {@code security}: the escalation group. */
  static Map<String, String> groups(String requesters, String approvers, String security) {
    Map<String, String> g = new LinkedHashMap<>();
    g.put("requesters", requesters);
    g.put("approvers", approvers);
    g.put("auditors", "airlock-auditors");
    g.put("operators", "airlock-operators");
    g.put("admins", "camunda-admin");
    g.put("policyAuthors", "airlock-policy-authors");
    g.put("policyApprovers", "airlock-policy-approvers");
    g.put("security", security);
    return g;
  }

  static DmnDecision parse(String resource, String key) {
    try (InputStream dmn = PolicyFixture.class.getResourceAsStream(resource)) {
      return ENGINE.parseDecision(key, dmn);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The demo organization's account as the inventory stores it. */
  static PolicyInputs.Target target(String accountId) {
    DemoOrganization.SeedAccount a = DemoOrganization.ACCOUNTS.stream().filter(x -> x.id().equals(accountId))
        .findFirst().orElse(null);
    if (a == null) {
      return new PolicyInputs.Target(accountId, null, null, null);
    }
    return new PolicyInputs.Target(a.id(), a.name(), ouPath(a.parentId()), a.tags());
  }

  private static String ouPath(String parentId) {
    StringBuilder path = new StringBuilder();
    String id = parentId;
    while (!DemoOrganization.ROOT_ID.equals(id)) {
      String current = id;
      DemoOrganization.SeedOu ou = DemoOrganization.OUS.stream().filter(o -> o.id().equals(current)).findFirst()
          .orElseThrow();
      path.insert(0, path.length() == 0 ? ou.name() : ou.name() + "/");
      id = ou.parentId();
    }
    return path.toString();
  }

  /** A request builder with sensible defaults: alice asks for herself, 30 minutes, with a ticket. */
  static final class Req {
    String system = "AWS";
    PolicyInputs.Target target = PolicyFixture.target(DemoOrganization.SANDBOX_ACCOUNT_ID);
    String permission = "ReadOnlyAccess";
    boolean crafted;
    String requester = "alice";
    List<String> requesterGroups = List.of("airlock-requesters");
    String principal = "alice";
    List<String> principalGroups = List.of("airlock-requesters");
    boolean self = true;
    Duration duration = Duration.ofMinutes(30);
    String justification = "Investigate incident INC-42";
    String ticket;
    Map<String, String> groups = DEFAULT_GROUPS;
    ZonedDateTime now = TUESDAY_10;
    String scopeName;
    long maxDurationMinutes;
    final Map<String, Object> context = new java.util.HashMap<>();

    Req target(String id) { target = PolicyFixture.target(id); return this; }
    Req target(PolicyInputs.Target t) { target = t; return this; }
    Req permission(String p) { permission = p; crafted = p.startsWith("craft:"); return this; }
    Req system(String s) { system = s; return this; }
    Req requesterGroups(String... g) { requesterGroups = List.of(g); return this; }
    Req forOthers(String p, String... g) { principal = p; principalGroups = List.of(g); self = false; return this; }
    Req duration(String iso) { duration = Duration.parse(iso); return this; }
    Req justification(String j) { justification = j; return this; }
    Req ticket(String t) { ticket = t; return this; }
    Req groups(Map<String, String> g) { groups = g; return this; }
    Req at(ZonedDateTime t) { now = t; return this; }
    Req scope(String name, long maxMinutes) { scopeName = name; maxDurationMinutes = maxMinutes; return this; }
    /** What PagerDuty said: on call (with seconds left and the shift's end in words) or not; null: unknown. */
    /** What Jira said of the ticket named: open or not, assigned to the requester, its status and kind. */
    Req ticketFacts(Boolean open, Boolean assignedToRequester, String status, String kind) {
      context.put("ticketOpen", open);
      context.put("ticketAssignedToRequester", assignedToRequester);
      context.put("ticketStatus", status);
      context.put("ticketKind", kind);
      return this;
    }

    Req holiday(boolean holiday) {
      context.put("holidayToday", holiday);
      return this;
    }

    Req onCall(Boolean onCall, Long secondsLeft, String until) {
      context.put("requesterOnCall", onCall);
      context.put("onCallSecondsLeft", secondsLeft);
      context.put("onCallUntil", until);
      context.put("onCallSchedule", Boolean.TRUE.equals(onCall) ? "Primary SRE" : null);
      return this;
    }

    Map<String, Object> variables() {
      Map<String, Object> in = PolicyInputs.of(new PolicyInputs.Request(system, target, permission, crafted, requester,
          requesterGroups, principal, principalGroups, self, duration, justification, ticket, false, null),
          groups, TICKET, now);
      in.putAll(context);
      return scopeName == null ? in : PolicyInputs.withScope(in, scopeName, maxDurationMinutes);
    }

    DmnDecisionTableResult evaluate(DmnDecision decision) {
      return ENGINE.evaluateDecisionTable(decision, Variables.fromMap(variables()));
    }
  }

  static Req req() {
    return new Req();
  }
}
