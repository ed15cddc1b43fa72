package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every outcome of the drift run's and the teardown's repairs, on fake ports. */
class DriftRepairsTest {

  private final RequestUseCaseFixture f = new RequestUseCaseFixture();
  private final DriftRepairs repairs = new DriftRepairs(f.requests, f.gateway, f.audit, f.clock, f.core);

  @Test
  void anOrphanIsRevokedInAwsAndReportedAgainstTheRequestItCameFrom() {
    AccessRequest ended = f.request("r-ended", RequestStatus.REVOKED);
    when(f.requests.findHolders(any(), any(), any())).thenReturn(List.of());
    when(f.requests.findLastEndedGrant(any(), any(), any())).thenReturn(Optional.of("r-ended"));
    when(f.gateway.isAssigned(f.assignment())).thenReturn(true);

    assertThat(repairs.revokeOrphan(f.assignment(), "airlock:drift")).contains("r-ended");

    verify(f.requests).lockAssignment("111111111111", "u-1", RequestUseCaseFixture.ARN);
    verify(f.gateway).revoke(f.assignment());
    assertThat(f.recorded).containsExactly("drift.orphan-revoked r-ended");
    assertThat(f.details.get(0)).containsEntry("requestStatus", "REVOKED").containsEntry("operationId", "op-1");
    assertThat(ended.getStatus()).as("the ended request stays as it was").isEqualTo(RequestStatus.REVOKED);
  }

  @Test
  void anAssignmentARequestHoldsNowOrThatIsGoneOrThatAirlockNeverGrantedIsNoOrphan() {
    when(f.requests.findHolders(any(), any(), any())).thenReturn(List.of("r-active"));
    assertThat(repairs.revokeOrphan(f.assignment(), "airlock:drift")).isEmpty();

    when(f.requests.findHolders(any(), any(), any())).thenReturn(List.of());
    when(f.requests.findLastEndedGrant(any(), any(), any())).thenReturn(Optional.empty());
    assertThat(repairs.revokeOrphan(f.assignment(), "airlock:drift")).as("never Airlock's").isEmpty();

    when(f.requests.findLastEndedGrant(any(), any(), any())).thenReturn(Optional.of("r-ended"));
    when(f.gateway.isAssigned(f.assignment())).thenReturn(false);
    assertThat(repairs.revokeOrphan(f.assignment(), "airlock:drift")).as("gone from AWS meanwhile").isEmpty();

    verify(f.gateway, never()).revoke(any());
    assertThat(f.recorded).isEmpty();
  }

  @Test
  void standingAccessIsRemovedOnlyWhenNoRequestHoldsItAndAwsStillHasIt() {
    when(f.requests.findHolders(any(), any(), any())).thenReturn(List.of("r-active"));
    assertThat(repairs.removeStanding(f.assignment(), "AdministratorAccess", "airlock:drift")).isFalse();
    when(f.requests.findHolders(any(), any(), any())).thenReturn(List.of());
    when(f.gateway.isAssigned(f.assignment())).thenReturn(false);
    assertThat(repairs.removeStanding(f.assignment(), "AdministratorAccess", "airlock:drift")).isFalse();
    verify(f.gateway, never()).revoke(any());

    when(f.gateway.isAssigned(f.assignment())).thenReturn(true);
    assertThat(repairs.removeStanding(f.assignment(), "AdministratorAccess", "airlock:drift")).isTrue();
    verify(f.gateway).revoke(f.assignment());
    assertThat(f.recorded).containsExactly("drift.standing-removed null");
    assertThat(f.details.get(0)).containsEntry("permissionSet", "AdministratorAccess")
        .containsEntry("principalId", "u-1");
  }

  @Test
  void aRequestWhoseTargetIsGoneFailsWhileItWaitsOrHoldsAccessAndNeverOnceEnded() {
    AccessRequest waiting = f.request("r-waiting", RequestStatus.PENDING_REVIEW);
    AccessRequest active = f.request("r-active", RequestStatus.ACTIVE);
    AccessRequest scheduled = f.request("r-scheduled", RequestStatus.SCHEDULED);
    f.request("r-granting", RequestStatus.GRANTING);
    f.request("r-revoked", RequestStatus.REVOKED);
    String longReason = "account 111111111111 is no longer in the organization; ".repeat(20);

    assertThat(repairs.failForMissingTarget("r-waiting", "account gone", "airlock:drift")).isTrue();
    assertThat(repairs.failForMissingTarget("r-active", longReason, "airlock:drift")).isTrue();
    assertThat(repairs.failForMissingTarget("r-scheduled", "permission set gone", "airlock:drift")).isTrue();
    assertThat(repairs.failForMissingTarget("r-granting", "account gone", "airlock:drift")).isFalse();
    assertThat(repairs.failForMissingTarget("r-revoked", "account gone", "airlock:drift")).isFalse();

    assertThat(waiting.getStatus()).isEqualTo(RequestStatus.FAILED);
    assertThat(waiting.getRevokedAt()).as("it held nothing").isNull();
    assertThat(scheduled.getStatus()).isEqualTo(RequestStatus.FAILED);
    assertThat(active.getStatus()).isEqualTo(RequestStatus.FAILED);
    assertThat(active.getRevokedAt()).as("its access went with the account").isEqualTo(RequestUseCaseFixture.NOW);
    assertThat(active.getDecisionReason()).hasSize(512);
    assertThat(f.recorded).containsExactly("drift.request-failed r-waiting", "request.status r-waiting",
        "drift.request-failed r-active", "request.status r-active", "drift.request-failed r-scheduled",
        "request.status r-scheduled");
    assertThat(f.table.get("r-granting").getStatus()).isEqualTo(RequestStatus.GRANTING);
  }

  @Test
  void theTeardownRemovesWhatARequestMayHoldAndFailsWhatHadNothingYet() {
    AccessRequest active = f.request("r-active", RequestStatus.ACTIVE);
    AccessRequest waiting = f.request("r-waiting", RequestStatus.PENDING_REVIEW);
    AccessRequest denied = f.request("r-denied", RequestStatus.DENIED);

    assertThat(repairs.endForTeardown("r-active", "admin")).containsEntry("from", "ACTIVE").containsEntry("to", "REVOKED")
        .containsEntry("operationId", "op-1");
    assertThat(active.getRevokedAt()).isEqualTo(RequestUseCaseFixture.NOW);
    verify(f.gateway).revoke(eq(f.assignment()), any(), any());
    verify(f.sessions).endAfterRevoke(eq(active), eq("admin"), any());

    assertThat(repairs.endForTeardown("r-waiting", "admin")).containsEntry("to", "FAILED");
    assertThat(waiting.getDecisionReason()).contains("torn down by admin before access was granted");
    assertThat(repairs.endForTeardown("r-denied", "admin")).containsEntry("to", "DENIED");
    assertThat(denied.getStatus()).isEqualTo(RequestStatus.DENIED);
    assertThat(f.recorded).containsExactly("access.revoked r-active", "request.status r-waiting",
        "request.status r-denied");
  }
}
