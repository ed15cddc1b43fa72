package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/**
 * Registration and the two policy steps on fake ports: no request without a signed-in
 * requester, the principal defaulting to the requester's own user, a replacement recorded only
 * for the registration it wraps; a request no scope allows, or asked for someone else where the
 * scope allows only oneself, rejected; the auto-approval's three outcomes, break-glass granted at
 * once only where the scope allows it, and no approval step before the scope step.
 */
class SubmitAndPolicyStepsTest {

  private final RequestUseCaseFixture f = new RequestUseCaseFixture();
  private final RequestValidator validator = mock(RequestValidator.class);
  private final AccessPolicy policy = mock(AccessPolicy.class);
  private final AccessLifecycle lifecycle = new AccessLifecycle(f.requests, validator, f.gateway, policy, f.audit,
      f.crafted, f.principals, f.clock, mock(RequestWorkflow.class), f.nodeClock, f.core);

  private static final AccessPolicy.Scope SELF_ONLY = new AccessPolicy.Scope("dev-read", List.of("airlock-approvers"),
      240, false, 1, "airlock-security", false);
  private static final AccessPolicy.Scope BREAK_GLASS = new AccessPolicy.Scope("prod-incident",
      List.of("airlock-approvers"), 60, true, 2, null, true);

  private ProcessStep step(String id) {
    return new ProcessStep(id, "pi-1", AccessLifecycle.SYSTEM_ACTOR);
  }

  private SubmitRequest input(String principal, Boolean breakGlass) {
    return new SubmitRequest("AWS", "111111111111", principal, "ReadOnlyAccess", "PT1H", "  Patch the fleet ", "",
        null, null, breakGlass);
  }

  private void valid() {
    when(validator.validate(any())).thenAnswer(i -> new RequestValidator.ValidRequest(i.getArgument(0),
        Duration.ofHours(1), "u-1", "ReadOnlyAccess", RequestUseCaseFixture.ARN, null, null, null));
  }

  @Test
  void noRequestWithoutASignedInRequesterAndThePrincipalDefaultsToTheirOwnUser() {
    assertThatThrownBy(() -> lifecycle.register("r-1", "pi-1", " ", List.of(), input("alice", null)))
        .isInstanceOf(ForbiddenActionException.class).hasMessageContaining("Sign in to request access");
    assertThat(f.recorded).containsExactly("refused.start null");
    verify(f.requests, never()).insert(any());

    valid();
    when(f.principals.identityCenterNameOf("alice")).thenReturn("alice@example.com");
    AccessRequest r = lifecycle.register("r-1", "pi-1", "alice", List.of("airlock-requesters"), input("", null));
    ArgumentCaptor<SubmitRequest> validated = ArgumentCaptor.forClass(SubmitRequest.class);
    verify(validator).validate(validated.capture());
    assertThat(validated.getValue().principal()).isEqualTo("alice@example.com");
    assertThat(r.getStatus()).isEqualTo(RequestStatus.SUBMITTED);
    assertThat(r.getJustification()).isEqualTo("Patch the fleet");
    assertThat(r.getTicket()).isNull();
    assertThat(r.getRequester()).isEqualTo("alice");
    assertThat(r.getSupersedes()).isNull();
    verify(f.requests).insert(r);
    assertThat(f.recorded).containsExactly("refused.start null", "request.submitted r-1");
  }

  @Test
  void aReplacementIsRecordedOnTheOneRegistrationItWraps() {
    valid();
    AccessRequest edit = AccessLifecycle.replacing(new AccessLifecycle.Replacement("r-0", "bob",
        RequestUseCaseFixture.NOW), () -> lifecycle.register("r-1", "pi-1", "alice", List.of(), input("alice", null)));
    assertThat(edit.getSupersedes()).isEqualTo("r-0");
    assertThat(edit.getChangedBy()).isEqualTo("bob");
    AccessRequest next = lifecycle.register("r-2", "pi-2", "alice", List.of(), input("alice", null));
    assertThat(next.getSupersedes()).as("nothing left over for the next registration").isNull();
  }

  @Test
  void aRequestNoScopeAllowsOrForSomeoneElseWhereOnlyOneselfMayAskIsRejected() {
    AccessRequest none = submitted("r-1", "alice");
    when(policy.scope(any(), anyBoolean())).thenReturn(null);
    assertThat(lifecycle.checkScope(step("r-1"))).isNull();
    assertThat(none.getStatus()).isEqualTo(RequestStatus.REJECTED_OUT_OF_SCOPE);
    assertThat(none.getDecisionReason()).isEqualTo("No scope allows alice to ask for ReadOnlyAccess on 111111111111");

    AccessRequest forBob = submitted("r-2", "bob");
    when(policy.scope(any(), anyBoolean())).thenReturn(SELF_ONLY);
    assertThat(lifecycle.checkScope(step("r-2"))).isNull();
    assertThat(forBob.getDecisionReason()).isEqualTo("Scope 'dev-read' allows asking only for yourself, not for bob");

    AccessRequest own = submitted("r-3", "alice");
    when(f.principals.isSamePerson("alice", "alice")).thenReturn(true);
    assertThat(lifecycle.checkScope(step("r-3"))).isEqualTo(SELF_ONLY);
    assertThat(own.getStatus()).isEqualTo(RequestStatus.SUBMITTED);
    assertThat(own.approverGroupList()).containsExactly("airlock-approvers");
    assertThat(own.getEscalationGroup()).isEqualTo("airlock-security");
    assertThat(own.getMaxDurationMinutes()).isEqualTo(240L);
    assertThatThrownBy(() -> lifecycle.checkScope(step("r-1"))).as("only once, while SUBMITTED")
        .isInstanceOf(ForbiddenActionException.class);
  }

  @Test
  void theAutoApprovalApprovesDeniesOrLeavesItToAReviewerAndNeverBeforeTheScope() {
    AccessRequest unchecked = submitted("r-0", "alice");
    assertThatThrownBy(() -> lifecycle.decideApproval(step("r-0"))).isInstanceOf(ForbiddenActionException.class)
        .hasMessageContaining("the scope has not been checked");
    assertThat(unchecked.getStatus()).isEqualTo(RequestStatus.SUBMITTED);

    when(policy.approval(any(), any(), anyBoolean())).thenReturn(new AccessPolicy.Approval("APPROVE", "read-only, 1 h"));
    AccessRequest approved = scoped("r-1", SELF_ONLY, null);
    lifecycle.decideApproval(step("r-1"));
    assertThat(approved.getStatus()).isEqualTo(RequestStatus.GRANTING);
    assertThat(approved.getDecisionOutcome()).isEqualTo("APPROVE");

    when(policy.approval(any(), any(), anyBoolean())).thenReturn(new AccessPolicy.Approval("DENY", "not on weekends"));
    AccessRequest denied = scoped("r-2", SELF_ONLY, null);
    lifecycle.decideApproval(step("r-2"));
    assertThat(denied.getStatus()).isEqualTo(RequestStatus.DENIED);
    assertThat(denied.getDecisionReason()).isEqualTo("not on weekends");

    when(policy.approval(any(), any(), anyBoolean())).thenReturn(null);
    AccessRequest manual = scoped("r-3", SELF_ONLY, null);
    lifecycle.decideApproval(step("r-3"));
    assertThat(manual.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);
    assertThat(manual.getDecisionReason()).isEqualTo("Needs an approver's review");
  }

  @Test
  void breakGlassIsGrantedAtOnceOnlyWhereTheScopeAllowsItAndNeverOverADenial() {
    when(policy.approval(any(), any(), anyBoolean())).thenReturn(new AccessPolicy.Approval("MANUAL", "production"));
    AccessRequest allowed = scoped("r-1", BREAK_GLASS, Boolean.FALSE);
    AccessPolicy.Approval a = lifecycle.decideApproval(step("r-1"));
    assertThat(a.breakGlass()).isTrue();
    assertThat(allowed.getStatus()).isEqualTo(RequestStatus.GRANTING);
    assertThat(f.recorded).contains("breakglass.granted r-1");

    AccessRequest notAllowed = scoped("r-2", SELF_ONLY, Boolean.FALSE);
    lifecycle.decideApproval(step("r-2"));
    assertThat(notAllowed.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);
    assertThat(notAllowed.getDecisionReason()).startsWith("Break-glass is not allowed in scope 'dev-read'.");

    when(policy.approval(any(), any(), anyBoolean())).thenReturn(new AccessPolicy.Approval("DENY", "blocked account"));
    AccessRequest deniedAnyway = scoped("r-3", BREAK_GLASS, Boolean.FALSE);
    assertThat(lifecycle.decideApproval(step("r-3")).breakGlass()).isFalse();
    assertThat(deniedAnyway.getStatus()).isEqualTo(RequestStatus.DENIED);
  }

  private AccessRequest submitted(String id, String principal) {
    AccessRequest r = f.request(id, RequestStatus.SUBMITTED);
    r.setPrincipal(principal);
    r.setGrantStart(null);
    r.setGrantEnd(null);
    return r;
  }

  /** SUBMITTED, its scope checked; break-glass asked for when {@code breakGlass} is not null. */
  private AccessRequest scoped(String id, AccessPolicy.Scope scope, Boolean breakGlass) {
    AccessRequest r = submitted(id, "alice");
    r.setScopeName(scope.name());
    r.setApproverGroups(String.join(",", scope.approverGroups()));
    r.setMaxDurationMinutes(scope.maxDurationMinutes());
    r.setApprovalsRequired(scope.approvalsRequired());
    r.setBreakGlass(breakGlass == null ? null : scope.breakGlassAllowed() ? Boolean.TRUE : Boolean.FALSE);
    return r;
  }
}
