package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.airlock.audit.AuditLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/** The domain's one gate for approvals: passes a recent second factor, refuses (audited) anything else. */
class StepUpTest {

  private final AuditLog audit = mock(AuditLog.class);

  @Test
  void aRecentSecondFactorPassesAndNothingIsAudited() {
    new StepUp(Optional::empty, audit).requireForApproval("bob", "refused.review", "r-1", "request r-1");
    verify(audit, never()).refused(any(), any(), any(), anyMap());
  }

  @Test
  void withoutOneTheApprovalIsRefusedWithTheWayToGiveItAndTheRefusalIsAudited() {
    SecondFactor.Missing missing = new SecondFactor.Missing("you signed in 20 min ago", Duration.ofMinutes(15),
        List.of(), true);
    StepUp gate = new StepUp(() -> Optional.of(missing), audit);

    assertThatThrownBy(() -> gate.requireForApproval("bob", "refused.review", "r-1", "request r-1"))
        .isInstanceOfSatisfying(StepUpRequiredException.class, e -> {
          assertThat(e).isInstanceOf(ForbiddenActionException.class);
          assertThat(e.missing()).isEqualTo(missing);
          assertThat(e.getMessage()).isEqualTo("Approve request r-1 after signing in with your second factor "
              + "(authenticator app or security key) within 15 min: you signed in 20 min ago. Nothing was approved; "
              + "get a new token, signing in with your second factor, and approve again");
        });
    @SuppressWarnings("unchecked")
    ArgumentCaptor<Map<String, Object>> details = ArgumentCaptor.forClass(Map.class);
    verify(audit).refused(eq("bob"), eq("refused.review"), eq("r-1"), details.capture());
    assertThat(details.getValue()).containsEntry("stepUp", true).containsEntry("maxAge", "PT15M")
        .containsEntry("reason", "no second factor within PT15M: you signed in 20 min ago");
  }

  @Test
  void aBrowserIsToldToSignInAgain() {
    StepUp gate = new StepUp(() -> Optional.of(new SecondFactor.Missing("you signed in without a second factor",
        Duration.ofMinutes(15), List.of("gold"), false)), audit);
    assertThatThrownBy(() -> gate.requireForApproval("bob", "refused.breakglass-review", "r-2", "request r-2"))
        .hasMessageEndingWith("sign in again with your second factor and approve again");
  }
}
