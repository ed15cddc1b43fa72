package io.airlock.request;

import io.airlock.audit.AuditLog;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The one gate every approval passes (a review's APPROVE, keeping break-glass access, approving a
 * policy proposal), whatever surface it came through: the approver must have signed in with a
 * second factor recently ({@link SecondFactor}). Otherwise the approval is refused, audited, and
 * nothing changes. Decisions that only take access away (deny, reject break-glass) are not gated:
 * refusing them would protect nothing.
 */
@Component
public class StepUp {

  private final SecondFactor secondFactor;
  private final AuditLog audit;

  public StepUp(SecondFactor secondFactor, AuditLog audit) {
    this.secondFactor = secondFactor;
    this.audit = audit;
  }

  /**
   * Refuses the approval unless the current sign-in holds a recent second factor.
   *
   * @param approver who approves (user id), for the audit
   * @param refusedAction the audit action of the refusal, e.g. {@code refused.review}
   * @param subjectId what is approved (a request id, a policy proposal id)
   * @param what what is approved, in words ("request 42")
   * @throws StepUpRequiredException when the sign-in does not do (audited in its own transaction)
   */
  public void requireForApproval(String approver, String refusedAction, String subjectId, String what) {
    Optional<SecondFactor.Missing> missing = secondFactor.missing();
    if (missing.isEmpty()) {
      return;
    }
    SecondFactor.Missing m = missing.get();
    String message = "Approve " + what + " after signing in with your second factor (authenticator app or "
        + "security key) within " + RequestLabels.human(m.maxAge()) + ": " + m.reason() + ". Nothing was approved; "
        + (m.bearer() ? "get a new token, signing in with your second factor, and approve again"
            : "sign in again with your second factor and approve again");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "no second factor within " + m.maxAge() + ": " + m.reason());
    details.put("stepUp", true);
    details.put("maxAge", m.maxAge().toString());
    audit.refused(approver, refusedAction, subjectId, details);
    throw new StepUpRequiredException(message, m);
  }
}
