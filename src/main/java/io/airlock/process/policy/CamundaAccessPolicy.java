package io.airlock.process.policy;

import io.airlock.audit.AuditLog;
import io.airlock.config.AirlockProperties;
import io.airlock.context.PolicyContext;
import io.airlock.context.TicketTies;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryService;
import io.airlock.policy.DecisionTables;
import io.airlock.policy.Decisions;
import io.airlock.policy.PolicyDecisions;
import io.airlock.policy.PolicyInputs;
import io.airlock.process.EngineIdentity;
import io.airlock.request.AccessPolicy;
import io.airlock.request.AccessRequest;
import io.airlock.request.PrincipalMapping;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.camunda.bpm.dmn.engine.DmnDecisionResult;
import org.camunda.bpm.dmn.engine.DmnDecisionResultEntries;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.springframework.stereotype.Component;

/**
 * {@link AccessPolicy} on the DMN tables in {@code dmn/} (latest deployed version), evaluated
 * by the engine's decision service with the stored request as input, as Airlock itself (the
 * signed-in user's authorizations do not decide whether policy runs). The engine keeps each
 * evaluation in its history (Cockpit, Decisions), {@link DecisionAuditPlugin} audits it with the
 * request's id, and {@link PolicyDecisions} records which definition version judged the
 * request, on which variables, with which rules and outputs. The variables are
 * {@link PolicyInputs}': the target's name, OU path and tags come from the inventory (or AWS for
 * an account created since the last scan), the group names from {@code airlock.groups.*}, and
 * the facts from outside ({@link PolicyContext}: is the requester on call). A fact that cannot be
 * known is null, so no rule that needs it matches, and the auto-approval step puts why in the
 * request's timeline ({@code policy.context-unknown}).
 */
@Component
class CamundaAccessPolicy implements AccessPolicy {

  /** The request's reason column holds 512 characters, with room for a break-glass note. */
  static final int MAX_REASON = 400;
  static final String SYSTEM_ACTOR = "airlock";
  /** Audited when a fact from outside could not be known for a request (shown in its timeline). */
  public static final String CONTEXT_UNKNOWN = "policy.context-unknown";
  /** Audited when access is tied to the open ticket it names (shown in its timeline). */
  public static final String TICKET_TIED = "ticket.tied";

  private final DecisionService decisions;
  private final IdentityService identity;
  private final InventoryService inventory;
  private final PrincipalMapping principals;
  private final PolicyDecisions records;
  private final Clock clock;
  private final Map<String, String> groups;
  private final Pattern ticketPattern;
  private final java.time.ZoneId zone;
  private final DecisionTables tables;
  private final PolicyContext context;
  private final AuditLog audit;
  private final TicketTies ties;

  CamundaAccessPolicy(DecisionService decisions, IdentityService identity, InventoryService inventory,
      PrincipalMapping principals, PolicyDecisions records, Clock clock, AirlockProperties properties,
      DecisionTables tables, PolicyContext context, AuditLog audit, TicketTies ties) {
    this.ties = ties;
    this.tables = tables;
    this.context = context;
    this.audit = audit;
    this.decisions = decisions;
    this.identity = identity;
    this.inventory = inventory;
    this.principals = principals;
    this.records = records;
    this.clock = clock;
    this.groups = properties.groups().byRole();
    this.ticketPattern = properties.policy().compiledTicketPattern();
    this.zone = properties.policy().timeZone();
  }

  @Override
  public Scope scope(AccessRequest r, boolean principalIsRequester) {
    Map<String, Object> in = inputs(r, principalIsRequester).variables();
    DmnDecisionResultEntries row = evaluate(Decisions.ACCESS_SCOPES, r, in).getFirstResult();
    return row == null ? null : PolicyInputs.scope(row.getEntryMap());
  }

  @Override
  public Approval approval(AccessRequest r, Scope scope, boolean principalIsRequester) {
    Inputs inputs = inputs(r, principalIsRequester);
    // Why a fact is unknown, in the request's timeline: the step that decides whether it is
    // approved at once is where an unknown fact changes the outcome.
    inputs.unknown().forEach(u -> audit.record(SYSTEM_ACTOR, CONTEXT_UNKNOWN, r.getId(), Map.of("provider",
        u.provider(), "variable", u.variable(), "reason", u.reason())));
    tieToOpenTicket(r, inputs.variables());
    Map<String, Object> in = PolicyInputs.withScope(inputs.variables(), scope.name(), scope.maxDurationMinutes());
    DmnDecisionResultEntries row = evaluate(Decisions.AUTO_APPROVAL, r, in).getFirstResult();
    if (row == null) {
      return null;
    }
    String reason = row.getEntry("approvalReason");
    if (reason != null && reason.length() > MAX_REASON) { // an analyst's long text must not fail the step
      reason = reason.substring(0, MAX_REASON - 1) + "…";
    }
    return new Approval(row.getEntry("approvalOutcome"), reason);
  }

  @Override
  public Preview preview(AccessRequest draft, boolean principalIsRequester) {
    // The deployed tables on the DMN engine alone: no history, no audit, nothing stored.
    Map<String, Object> in = inputs(draft, principalIsRequester).variables();
    Scope scope = PolicyInputs.scope(tables.evaluate(tables.latest(Decisions.ACCESS_SCOPES), in)
        .outputs());
    if (scope == null) {
      return new Preview(null, null);
    }
    Map<String, Object> row = tables.evaluate(tables.latest(Decisions.AUTO_APPROVAL),
        PolicyInputs.withScope(in, scope.name(), scope.maxDurationMinutes())).outputs();
    Approval approval = row.isEmpty() ? null
        : new Approval((String) row.get("approvalOutcome"), (String) row.get("approvalReason"));
    return new Preview(scope, approval);
  }

  /**
   * A request judged while the ticket it names is open ends with that ticket, whoever approves it
   * (policy or a person): said in its timeline ({@code ticket.tied}).
   */
  private void tieToOpenTicket(AccessRequest r, Map<String, Object> variables) {
    String reference = (String) variables.get("ticketReference");
    if (!Boolean.TRUE.equals(variables.get(PolicyContext.TICKET_OPEN))) {
      return;
    }
    context.trackerOf(reference).flatMap(t -> ties.tie(r.getId(), reference, t.provider())).ifPresent(why ->
        audit.record(SYSTEM_ACTOR, TICKET_TIED, r.getId(), Map.of("ticket", reference, "reason", why)));
  }

  private record Inputs(Map<String, Object> variables, List<PolicyContext.Unknown> unknown) {}

  private Inputs inputs(AccessRequest r, boolean principalIsRequester) {
    Inventory.Account account = inventory.describeAccount(r.getTarget()).orElse(null);
    PolicyInputs.Target target = account == null ? new PolicyInputs.Target(r.getTarget(), null, null, null)
        : new PolicyInputs.Target(r.getTarget(), account.name(), account.ouPath(), account.tags());
    PolicyInputs.Request request = new PolicyInputs.Request(r.getSystem(), target, r.getPermission(), r.isCrafted(),
        r.getRequester(), r.requesterGroupList(), r.getPrincipal(), principalGroups(r.getPrincipal()),
        principalIsRequester, PolicyInputs.policyDuration(r), r.getJustification(), r.getTicket(),
        r.getBreakGlass() != null, r.getSupersedes());
    ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), zone);
    Map<String, Object> in = PolicyInputs.of(request, groups, ticketPattern, now);
    PolicyContext.Facts facts = context.about(r.getRequester(), emailOf(r.getRequester()),
        (String) in.get("ticketReference"), now);
    in.putAll(facts.variables());
    return new Inputs(in, facts.unknown());
  }

  private String emailOf(String userId) {
    if (userId == null) {
      return null;
    }
    User user = asAirlock(() -> identity.createUserQuery().userId(userId).singleResult());
    return user == null ? null : user.getEmail();
  }

  /** The identity provider's groups of the person the principal is (none when not a known user). */
  private List<String> principalGroups(String principal) {
    String userId = principals.userIdOf(principal);
    if (userId == null) {
      return List.of();
    }
    return asAirlock(() -> identity.createGroupQuery().groupMember(userId).list().stream().map(Group::getId)
        .sorted().toList());
  }

  private DmnDecisionResult evaluate(String key, AccessRequest r, Map<String, Object> inputs) {
    var result = DecisionAuditPlugin.capturing(() -> asAirlock(() -> DecisionAuditPlugin.forRequest(r.getId(),
        () -> decisions.evaluateDecisionByKey(key).variables(inputs).evaluate())));
    result.getValue().forEach(e -> records.record(r.getId(), e.decisionKey(), e.definitionId(), e.version(),
        e.matchedRules().stream().map(m -> new PolicyDecisions.Rule(m.ruleId(), m.index(), m.outputs())).toList(),
        inputs));
    return result.getKey();
  }

  private <T> T asAirlock(Supplier<T> work) {
    return EngineIdentity.asAirlock(identity, work);
  }
}
