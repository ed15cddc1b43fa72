package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every refusal and transition of a review, on fake ports: four eyes (never the requester, the
 * principal, or the approver who changed the request; only its approver groups), the stored
 * values against what the form showed, the quorum, the second factor, the comment's rules,
 * break-glass kept or rejected, escalation, expiry and withdrawal.
 */
class ReviewsTest {

  private static final List<String> APPROVERS = List.of("airlock-approvers");
  private static final Caller BOB = new Caller("bob", APPROVERS);
  private static final Caller GRACE = new Caller("grace", APPROVERS);

  private final RequestUseCaseFixture f = new RequestUseCaseFixture();
  private final Reviews reviews = new Reviews(f.requests, f.audit, f.clock, f.events, f.stepUp, f.core);
  private AccessRequest pending;

  @BeforeEach
  void aRequestWaitingForReview() {
    pending = f.request("r-1", RequestStatus.PENDING_REVIEW);
    pending.setApproverGroups("airlock-approvers");
    pending.setDuration("PT1H");
    pending.setJustification("Patch the fleet");
    when(f.requests.findApprovers("r-1")).thenReturn(List.of());
  }

  private ProcessStep step() {
    return new ProcessStep("r-1", "pi-1", "bob");
  }

  @Test
  void fourEyesNeverTheRequesterThePrincipalOrTheApproverWhoChangedItOnlyTheApproverGroups() {
    assertThat(reviews.reviewRefusal(pending, new Caller("alice", APPROVERS))).get().asString()
        .contains("your own access request");
    when(f.principals.isSamePerson("carol", "alice")).thenReturn(true);
    assertThat(reviews.reviewRefusal(pending, new Caller("carol", APPROVERS))).get().asString()
        .contains("it grants access to you (alice)");
    pending.setChangedBy("grace");
    pending.setSupersedes("r-0");
    assertThat(reviews.reviewRefusal(pending, GRACE)).get().asString().contains("You changed request r-1");
    assertThat(reviews.reviewRefusal(pending, new Caller("erin", List.of("airlock-requesters")))).get().asString()
        .contains("Only members of airlock-approvers may review request r-1");
    assertThat(reviews.reviewRefusal(pending, null)).get().asString().contains("Sign in");
    assertThat(reviews.reviewRefusal(pending, BOB)).isEmpty();
  }

  @Test
  void aRefusedReviewIsAuditedAndChangesNothing() {
    assertThatThrownBy(() -> reviews.recordReview(step(), new Caller("alice", APPROVERS), "APPROVE", null, Map.of()))
        .isInstanceOf(ForbiddenActionException.class).hasMessageContaining("your own access request");
    assertThat(f.recorded).containsExactly("refused.review r-1");
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);
    verify(f.requests, never()).insertApproval(any(), any(), any());
  }

  @Test
  void anApprovalGrantsNowOrAtItsStartAfterASecondFactor() {
    assertThat(reviews.recordReview(step(), BOB, "APPROVE", "go ahead", Map.of("principal", "alice"))).isFalse();
    verify(f.stepUp).requireForApproval(eq("bob"), eq("refused.review"), eq("r-1"), anyString());
    verify(f.requests).insertApproval("r-1", "bob", RequestUseCaseFixture.NOW);
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.GRANTING);
    assertThat(pending.getReviewer()).isEqualTo("bob");
    assertThat(f.recorded).containsExactly("review.approved r-1", "request.status r-1");

    AccessRequest later = f.request("r-2", RequestStatus.PENDING_REVIEW);
    later.setApproverGroups("airlock-approvers");
    later.setStartAt(RequestUseCaseFixture.NOW.plusSeconds(7200));
    reviews.recordReview(new ProcessStep("r-2", "pi-1", "bob"), BOB, "APPROVE", null, null);
    assertThat(later.getStatus()).isEqualTo(RequestStatus.SCHEDULED);
  }

  @Test
  void withoutASecondFactorNothingIsApproved() {
    doThrow(new ForbiddenActionException("sign in with a second factor")).when(f.stepUp)
        .requireForApproval(any(), any(), any(), any());
    assertThatThrownBy(() -> reviews.recordReview(step(), BOB, "APPROVE", null, Map.of()))
        .isInstanceOf(ForbiddenActionException.class);
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);
    verify(f.requests, never()).insertApproval(any(), any(), any());
  }

  @Test
  void aQuorumNeedsDifferentApproversAndWaitsForTheLast() {
    pending.setApprovalsRequired(2);
    assertThat(reviews.recordReview(step(), BOB, "APPROVE", null, Map.of())).as("another approver must").isTrue();
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);

    when(f.requests.findApprovers("r-1")).thenReturn(List.of("bob"));
    assertThatThrownBy(() -> reviews.recordReview(step(), BOB, "APPROVE", null, Map.of()))
        .isInstanceOf(ForbiddenActionException.class).hasMessageContaining("You approved request r-1 already");
    assertThat(reviews.recordReview(step(), GRACE, "APPROVE", null, Map.of())).isFalse();
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.GRANTING);
    assertThat(f.details.get(2)).containsEntry("approvals", 2).containsEntry("approvalsRequired", 2);
  }

  @Test
  void whatTheFormShowedMustBeWhatWouldBeGranted() {
    assertThatThrownBy(() -> reviews.recordReview(step(), BOB, "APPROVE", null,
        Map.of("permission", "AdministratorAccess", "principal", "alice")))
        .isInstanceOf(ForbiddenActionException.class).hasMessageContaining("[permission]")
        .hasMessageContaining("nothing was approved");
    assertThat(f.recorded).containsExactly("refused.review r-1");
    assertThat(f.details.get(0)).containsKey("differences");
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);
  }

  @Test
  void aDenialNeedsAReadableCommentOfAtMostAThousandCharacters() {
    assertThatThrownBy(() -> reviews.recordReview(step(), BOB, "DENY", " ", Map.of()))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("is required to deny");
    assertThatThrownBy(() -> reviews.recordReview(step(), BOB, "DENY", "x".repeat(1001), Map.of()))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> reviews.recordReview(step(), BOB, "MAYBE", "hm", Map.of()))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);

    assertThat(reviews.recordReview(step(), BOB, "DENY", "use the read-only role", Map.of())).isFalse();
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.DENIED);
    assertThat(pending.getReviewComment()).isEqualTo("use the read-only role");
    verify(f.stepUp, never()).requireForApproval(any(), any(), any(), any());
  }

  @Test
  void aRequestNoLongerWaitingOrAStepFromAnotherInstanceIsNotReviewed() {
    pending.setStatus(RequestStatus.CANCELLED);
    assertThatThrownBy(() -> reviews.recordReview(step(), BOB, "APPROVE", null, Map.of()))
        .isInstanceOf(ConflictingStateException.class).hasMessageContaining("not waiting for review");
    pending.setStatus(RequestStatus.PENDING_REVIEW);
    assertThatThrownBy(() -> reviews.recordReview(new ProcessStep("r-1", "pi-forged", "bob"), BOB, "APPROVE", null,
        Map.of())).isInstanceOf(ForbiddenActionException.class).hasMessageContaining("pi-forged");
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);
  }

  @Test
  void breakGlassIsKeptAfterASecondFactorOrRejectedWithACommentWhichAsksForTheRevoke() {
    pending.setStatus(RequestStatus.ACTIVE);
    assertThatThrownBy(() -> reviews.recordBreakGlassReview(step(), BOB, "DENY", "why?"))
        .isInstanceOf(ForbiddenActionException.class).hasMessageContaining("not granted as break-glass");
    pending.setBreakGlass(true);
    assertThatThrownBy(() -> reviews.recordBreakGlassReview(step(), BOB, "DENY", ""))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> reviews.recordBreakGlassReview(step(), BOB, "DENY", "y".repeat(1001)))
        .as("the same comment rules as every review").isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> reviews.recordBreakGlassReview(step(), new Caller("alice", APPROVERS), "APPROVE", null))
        .isInstanceOf(ForbiddenActionException.class);

    assertThat(reviews.recordBreakGlassReview(step(), BOB, "DENY", "no incident on record")).isTrue();
    assertThat(pending.getRevokeRequestedBy()).isEqualTo("bob");
    assertThat(pending.getRevokeReason()).isEqualTo("break-glass rejected: no incident on record");
    assertThat(f.recorded).contains("breakglass.rejected r-1");

    assertThat(reviews.recordBreakGlassReview(step(), GRACE, "APPROVE", null)).isFalse();
    verify(f.stepUp).requireForApproval(eq("grace"), eq("refused.breakglass-review"), eq("r-1"), anyString());
  }

  @Test
  void escalationAddsTheEscalationGroupOnceAndRemindersChangeNothing() {
    pending.setEscalationGroup("airlock-security");
    assertThat(reviews.escalate(step())).isEqualTo("airlock-security");
    assertThat(pending.approverGroupList()).containsExactly("airlock-approvers", "airlock-security");
    assertThat(reviews.escalate(step())).isEqualTo("airlock-security");
    assertThat(pending.approverGroupList()).as("once").containsExactly("airlock-approvers", "airlock-security");

    reviews.remindApprovers(step());
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.PENDING_REVIEW);
    assertThat(f.recorded).containsExactly("review.escalated r-1", "review.escalated r-1", "review.reminded r-1");
  }

  @Test
  void aReviewNobodyMadeInTimeExpiresAndOnlyAWaitingRequestIsWithdrawn() {
    reviews.expire(step());
    assertThat(pending.getStatus()).isEqualTo(RequestStatus.EXPIRED);
    assertThatThrownBy(() -> reviews.expire(step())).isInstanceOf(ForbiddenActionException.class);

    f.request("r-active", RequestStatus.ACTIVE);
    assertThatThrownBy(() -> reviews.withdraw("r-active", "alice", "no longer needed"))
        .isInstanceOf(ConflictingStateException.class);
    AccessRequest scheduled = f.request("r-later", RequestStatus.SCHEDULED);
    reviews.withdraw("r-later", "alice", "plans changed");
    assertThat(scheduled.getStatus()).isEqualTo(RequestStatus.CANCELLED);
    assertThat(scheduled.getDecisionReason()).isEqualTo("Withdrawn by alice: plans changed");
  }
}
