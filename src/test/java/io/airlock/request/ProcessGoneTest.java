package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every transition and refusal when a request's process is gone or its step did not finish, on fake ports. */
class ProcessGoneTest {

  private final RequestUseCaseFixture f = new RequestUseCaseFixture();
  private final ProcessGone gone = new ProcessGone(f.requests, f.gateway, f.audit, f.clock, f.nodeClock, f.core);

  @Test
  void aProcessEndingBeforeAccessCancelsTheRequestAndWithAccessLeavesItToTheReconciler() {
    AccessRequest waiting = f.request("r-waiting", RequestStatus.PENDING_REVIEW);
    AccessRequest active = f.request("r-active", RequestStatus.ACTIVE);
    f.request("r-revoked", RequestStatus.REVOKED);

    assertThat(gone.processEnded("r-waiting", "pi-1", "operator")).isFalse();
    assertThat(waiting.getStatus()).isEqualTo(RequestStatus.CANCELLED);
    assertThat(waiting.getDecisionReason()).contains("cancelled by operator before access was granted");

    assertThat(gone.processEnded("r-active", "pi-1", null)).as("the reconciler is woken").isTrue();
    assertThat(active.getStatus()).as("access is revoked by the reconciler, not here").isEqualTo(RequestStatus.ACTIVE);

    assertThat(gone.processEnded("r-revoked", "pi-1", null)).isFalse();
    assertThat(gone.processEnded(null, "pi-1", null)).isFalse();
    assertThat(f.recorded).containsExactly("request.status r-waiting", "request.process-ended r-active");
  }

  @Test
  void anInstanceThatDoesNotOwnTheRequestChangesNothing() {
    AccessRequest waiting = f.request("r-waiting", RequestStatus.PENDING_REVIEW);
    assertThat(gone.processEnded("r-waiting", "pi-other", "mallory")).isFalse();
    assertThat(gone.processEnded("r-missing", "pi-1", "mallory")).isFalse();
    assertThat(waiting.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);
    assertThat(f.recorded).isEmpty();
  }

  @Test
  void adoptionHandsAccessToTheRevokingInstanceOnceAndRefusesWhenItMovedOn() {
    AccessRequest active = f.request("r-active", RequestStatus.ACTIVE);
    gone.adoptForRevocation("r-active", "pi-1", "pi-2");
    assertThat(active.getProcessInstanceId()).isEqualTo("pi-2");
    assertThat(active.getStatus()).isEqualTo(RequestStatus.REVOKING);
    assertThat(active.getRevokeRequestedBy()).isEqualTo(AccessLifecycle.RECONCILER_ACTOR);
    assertThat(active.getRevokeReason()).isEqualTo("its process instance pi-1 is gone");
    assertThat(f.recorded).containsExactly("request.adopted r-active", "request.status r-active");

    assertThatThrownBy(() -> gone.adoptForRevocation("r-active", "pi-1", "pi-3"))
        .isInstanceOf(ConflictingStateException.class).hasMessageContaining("reconciled meanwhile");
    f.request("r-cancelled", RequestStatus.CANCELLED);
    assertThatThrownBy(() -> gone.adoptForRevocation("r-cancelled", "pi-1", "pi-3"))
        .isInstanceOf(ConflictingStateException.class);
    assertThat(active.getProcessInstanceId()).isEqualTo("pi-2");
  }

  @Test
  void overdueAccessIsRevokedAfterTheGraceAndNotBefore() {
    AccessRequest active = f.request("r-active", RequestStatus.ACTIVE);
    active.setGrantEnd(RequestUseCaseFixture.NOW.minusSeconds(20));
    assertThat(gone.revokeOverdue("r-active", Duration.ofSeconds(30))).as("within the grace").isFalse();
    assertThat(active.getStatus()).isEqualTo(RequestStatus.ACTIVE);

    assertThat(gone.revokeOverdue("r-active", Duration.ofSeconds(10))).isTrue();
    assertThat(active.getStatus()).isEqualTo(RequestStatus.REVOKED);
    assertThat(active.getRevokedAt()).isEqualTo(RequestUseCaseFixture.NOW);
    verify(f.gateway).revoke(any(), any(), anyString());
    assertThat(f.details.get(0)).containsEntry("why", "overdue: access ended at " + active.getGrantEnd()
        + " and was still in place");
  }

  @Test
  void anOverdueRevokeKeepsTheAssignmentAnotherActiveGrantCovers() {
    AccessRequest active = f.request("r-active", RequestStatus.ACTIVE);
    active.setGrantEnd(RequestUseCaseFixture.NOW.minusSeconds(60));
    when(f.requests.findOtherActiveGrants(any(), any(), any(), any(), any())).thenReturn(List.of("r-other"));
    assertThat(gone.revokeOverdue("r-active", Duration.ofSeconds(10))).isTrue();
    verify(f.gateway, never()).revoke(any(), any(), any());
    assertThat(f.details.get(0)).containsEntry("keptForRequests", List.of("r-other"));
    assertThat(active.getStatus()).isEqualTo(RequestStatus.REVOKED);
  }

  @Test
  void aGrantAwsMadeButItsStepNeverRecordedIsConfirmedFromTheAssignment() {
    AccessRequest granting = f.request("r-granting", RequestStatus.GRANTING);
    granting.setGrantStart(RequestUseCaseFixture.NOW.minusSeconds(120));
    when(f.gateway.isAssigned(f.assignment())).thenReturn(false);
    assertThat(gone.confirmGrant("r-granting", Duration.ofSeconds(60))).as("not in AWS: the job retries").isFalse();
    assertThat(gone.confirmGrant("r-granting", Duration.ofSeconds(300))).as("too early to tell").isFalse();

    when(f.gateway.isAssigned(f.assignment())).thenReturn(true);
    assertThat(gone.confirmGrant("r-granting", Duration.ofSeconds(60))).isTrue();
    assertThat(granting.getStatus()).isEqualTo(RequestStatus.ACTIVE);
    assertThat(f.recorded).containsExactly("access.granted r-granting", "request.status r-granting");
  }

  @Test
  void aClockThatDisagreesRefusesToConfirmAndChangesNothing() {
    AccessRequest granting = f.request("r-granting", RequestStatus.GRANTING);
    granting.setGrantStart(RequestUseCaseFixture.NOW.minusSeconds(120));
    when(f.gateway.isAssigned(f.assignment())).thenReturn(true);
    doThrow(new ConflictingStateException("this node's clock is 40 s ahead"))
        .when(f.nodeClock).requireAgreement(anyString());
    assertThatThrownBy(() -> gone.confirmGrant("r-granting", Duration.ofSeconds(60)))
        .isInstanceOf(ConflictingStateException.class);
    assertThat(granting.getStatus()).isEqualTo(RequestStatus.GRANTING);
    assertThat(f.recorded).isEmpty();
  }
}
