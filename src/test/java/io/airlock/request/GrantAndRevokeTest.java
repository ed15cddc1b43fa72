package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The grant and the revoke of a request, on fake ports: only an approved request is granted
 * (the policy's APPROVE, or enough eligible approvers: never the requester, the principal or
 * the approver who changed it), its end fixed before AWS is called and kept on retries, a grant
 * whose end passed before AWS confirmed it revoked instead, AWS's rejection a FAILED request;
 * a revoke only when its end came or an entitled actor asked, kept in AWS while another grant
 * covers the assignment.
 */
class GrantAndRevokeTest {

  private static final Instant NOW = RequestUseCaseFixture.NOW;
  private final RequestUseCaseFixture f = new RequestUseCaseFixture();
  private final RequestWorkflow process = mock(RequestWorkflow.class);
  private final AccessLifecycle lifecycle = new AccessLifecycle(f.requests, mock(RequestValidator.class), f.gateway,
      mock(AccessPolicy.class), f.audit, f.crafted, f.principals, f.clock, process, f.nodeClock, f.core);
  private AccessRequest r;

  @BeforeEach
  void anApprovedRequestReadyToGrant() {
    r = f.request("r-1", RequestStatus.GRANTING);
    r.setGrantStart(null);
    r.setGrantEnd(null);
    r.setDuration("PT1H");
    r.setDecisionOutcome(AccessPolicy.Approval.APPROVE);
    when(f.requests.findApprovers("r-1")).thenReturn(List.of());
    when(f.gateway.grant(any())).thenReturn(new AccessGateway.OperationResult("op-2", "SUCCEEDED", false, List.of()));
  }

  private ProcessStep step() {
    return new ProcessStep("r-1", "pi-1", AccessLifecycle.SYSTEM_ACTOR);
  }

  @Test
  void theEndIsFixedBeforeAwsIsCalledAndARetryKeepsIt() {
    assertThat(lifecycle.recordGrantSending(step())).isTrue();
    assertThat(r.getGrantStart()).isEqualTo(NOW);
    assertThat(r.getGrantEnd()).isEqualTo(NOW.plusSeconds(3600));
    r.setGrantStart(NOW.minusSeconds(30)); // as if the first attempt was 30 s ago
    r.setGrantEnd(NOW.plusSeconds(3570));
    assertThat(lifecycle.recordGrantSending(step())).isTrue();
    assertThat(r.getGrantEnd()).as("a retry keeps the first end").isEqualTo(NOW.plusSeconds(3570));
    assertThat(f.recorded).containsExactly("access.grant-sending r-1", "access.grant-sending r-1");
    assertThat(f.details.get(1)).containsEntry("attempt", "retry (the end stays as first recorded)")
        .containsEntry("approvedBy", List.of("policy"));
  }

  @Test
  void aGrantedRequestIsActiveUntilTheEndRecordedBeforeTheCall() {
    lifecycle.recordGrantSending(step());
    assertThat(lifecycle.grant(step())).isEqualTo(NOW.plusSeconds(3600));
    assertThat(r.getStatus()).isEqualTo(RequestStatus.ACTIVE);
    verify(f.gateway).grant(f.assignment());
    verify(f.requests).lockAssignment("111111111111", "u-1", RequestUseCaseFixture.ARN);
    assertThat(f.recorded).containsExactly("access.grant-sending r-1", "access.granted r-1", "request.status r-1");
    assertThat(lifecycle.grant(step())).as("a retried job after the commit").isEqualTo(NOW.plusSeconds(3600));
    verify(f.gateway).grant(any());
  }

  @Test
  void withoutAnEligibleApprovalNothingIsGranted() {
    r.setDecisionOutcome("MANUAL");
    r.setReviewOutcome("APPROVE");
    when(f.requests.findApprovers("r-1")).thenReturn(List.of("alice")); // the requester approved their own
    assertThatThrownBy(() -> lifecycle.recordGrantSending(step())).isInstanceOf(ForbiddenActionException.class)
        .hasMessageContaining("no approval is recorded");
    when(f.principals.isSamePerson("carol", "alice")).thenReturn(true);
    when(f.requests.findApprovers("r-1")).thenReturn(List.of("carol")); // the principal approved
    assertThatThrownBy(() -> lifecycle.grant(step())).isInstanceOf(ForbiddenActionException.class);
    when(f.requests.findApprovers("r-1")).thenReturn(List.of("bob"));
    r.setApprovalsRequired(2);
    assertThatThrownBy(() -> lifecycle.grant(step())).as("one of a quorum of two").isInstanceOf(
        ForbiddenActionException.class);

    verify(f.gateway, never()).grant(any());
    assertThat(f.recorded).containsExactly("refused.grant r-1", "refused.grant r-1", "refused.grant r-1");
    assertThat(r.getGrantStart()).isNull();
    when(f.requests.findApprovers("r-1")).thenReturn(List.of("bob", "grace"));
    assertThat(lifecycle.recordGrantSending(step())).isTrue();
  }

  @Test
  void aScheduledRequestIsNotGrantedBeforeItsStartNorAStepFromAnotherInstance() {
    r.setStatus(RequestStatus.SCHEDULED);
    r.setStartAt(NOW.plusSeconds(600));
    assertThatThrownBy(() -> lifecycle.recordGrantSending(step())).isInstanceOf(ForbiddenActionException.class)
        .hasMessageContaining("scheduled to start at");
    assertThatThrownBy(() -> lifecycle.grant(new ProcessStep("r-1", "pi-forged", "airlock")))
        .isInstanceOf(ForbiddenActionException.class);
    r.setStartAt(NOW.minusSeconds(1));
    assertThat(lifecycle.recordGrantSending(step())).isTrue();
  }

  @Test
  void aGrantWhoseEndPassedBeforeAwsConfirmedItIsRevokedNotCreated() {
    r.setGrantStart(NOW.minusSeconds(3700));
    r.setGrantEnd(NOW.minusSeconds(100));
    assertThat(lifecycle.grant(step())).isEqualTo(NOW.minusSeconds(100));
    verify(f.gateway, never()).grant(any());
    verify(f.gateway).revoke(any(), any(), any());
    assertThat(r.getStatus()).isEqualTo(RequestStatus.REVOKED);
  }

  @Test
  void awsRejectingTheGrantFailsTheRequestWithItsReason() {
    when(f.gateway.grant(any())).thenThrow(new AccessRejectedException("the permission set is not provisioned", null));
    assertThatThrownBy(() -> lifecycle.grant(step())).isInstanceOf(AccessRejectedException.class);
    assertThat(r.getStatus()).isEqualTo(RequestStatus.FAILED);
    assertThat(r.getDecisionReason()).isEqualTo("AWS rejected the grant: the permission set is not provisioned");
  }

  @Test
  void aRevokeWaitsForTheEndOrAnEntitledRequestAndKeepsWhatAnotherGrantCovers() {
    r.setStatus(RequestStatus.ACTIVE);
    r.setGrantStart(NOW.minusSeconds(60));
    r.setGrantEnd(NOW.plusSeconds(3540));
    assertThatThrownBy(() -> lifecycle.revocationDue(step())).isInstanceOf(ForbiddenActionException.class)
        .hasMessageContaining("nobody entitled asked to end it earlier");
    assertThat(r.getStatus()).isEqualTo(RequestStatus.ACTIVE);

    lifecycle.recordRevokeRequest("r-1", "alice", "done early");
    lifecycle.revocationDue(step());
    assertThat(r.getStatus()).isEqualTo(RequestStatus.REVOKING);
    when(f.requests.findOtherActiveGrants(any(), any(), any(), any(), any())).thenReturn(List.of("r-2"));
    lifecycle.revoke(step());
    assertThat(r.getStatus()).isEqualTo(RequestStatus.REVOKED);
    verify(f.gateway, never()).revoke(any(), any(), any());
    assertThat(f.recorded).containsExactly("refused.revoke r-1", "revoke.requested r-1", "request.status r-1",
        "access.revoked r-1", "request.status r-1");
    lifecycle.revoke(step()); // a retried job: nothing more
    assertThatThrownBy(() -> lifecycle.recordRevokeRequest("r-1", "alice", "again"))
        .isInstanceOf(ConflictingStateException.class);
  }

  @Test
  void onlyThePrincipalActsOnTheirActiveAccess() {
    r.setStatus(RequestStatus.ACTIVE);
    assertThatThrownBy(() -> lifecycle.requirePrincipalOfActiveAccess(step(), new Caller("bob", List.of()), "end"))
        .isInstanceOf(ForbiddenActionException.class).hasMessageContaining("only its principal (alice)");
    when(f.principals.isSamePerson("alice", "alice")).thenReturn(true);
    assertThat(lifecycle.requirePrincipalOfActiveAccess(step(), new Caller("alice", List.of()), "end")).isSameAs(r);
    r.setStatus(RequestStatus.REVOKED);
    assertThatThrownBy(() -> lifecycle.requirePrincipalOfActiveAccess(step(), new Caller("alice", List.of()), "end"))
        .isInstanceOf(ConflictingStateException.class);
    r.setStatus(RequestStatus.PENDING_REVIEW);
    assertThatThrownBy(() -> lifecycle.revoke(step())).as("a pending request holds nothing to revoke")
        .isInstanceOf(ForbiddenActionException.class).hasMessageContaining("holds no access");
  }
}
