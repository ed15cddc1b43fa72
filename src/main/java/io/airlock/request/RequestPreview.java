package io.airlock.request;

import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * What policy will do with a request before it is filed: the same checks as a submission
 * (every field, the names looked up) and both policy tables on the draft, with nothing stored,
 * audited or started. A page shows it while the person fills the form in.
 */
@Component
public class RequestPreview {

  private final RequestValidator validator;
  private final AccessPolicy policy;
  private final PrincipalMapping principals;

  RequestPreview(RequestValidator validator, AccessPolicy policy, PrincipalMapping principals) {
    this.validator = validator;
    this.policy = policy;
    this.principals = principals;
  }

  /** What policy would decide. */
  public enum Outcome { APPROVED_AT_ONCE, BREAK_GLASS_AT_ONCE, NEEDS_REVIEW, DENIED, NOT_ALLOWED }

  /**
   * The forecast: the outcome, the policy's reason in its words, the scope, who reviews and how
   * many must approve, the longest duration the scope allows.
   */
  public record Forecast(Outcome outcome, String reason, String scope, List<String> approverGroups,
      int approvalsRequired, Duration maxDuration, boolean breakGlassAllowed) {}

  /**
   * Throws {@link InvalidRequestException} naming each wrong field, as a submission would; an
   * empty principal is the caller's own Identity Center user.
   */
  @Transactional(readOnly = true)
  public Forecast preview(SubmitRequest in, Caller caller) {
    SubmitRequest input = in;
    if (input != null && (input.principal() == null || input.principal().isBlank())) {
      input = new SubmitRequest(input.system(), input.target(), principals.identityCenterNameOf(caller.userId()),
          input.permission(), input.duration(), input.justification(), input.ticket(), input.craft(), input.startAt(),
          input.breakGlass());
    }
    RequestValidator.ValidRequest valid = validator.validate(input);
    AccessRequest draft = new AccessRequest();
    draft.setId("preview");
    draft.setSystem(input.system());
    draft.setTarget(input.target());
    draft.setPrincipal(input.principal());
    draft.setPrincipalId(valid.principalId());
    draft.setPermission(valid.permission());
    draft.setPermissionSetArn(valid.permissionSetArn());
    draft.setCraftTemplate(valid.craftTemplate());
    draft.setDuration(valid.duration().toString());
    draft.setJustification(input.justification().trim());
    draft.setTicket(input.ticket() == null || input.ticket().isBlank() ? null : input.ticket().trim());
    draft.setRequester(caller.userId());
    draft.setRequesterGroups(String.join(",", caller.groups()));
    draft.setStartAt(valid.startAt());
    boolean askedBreakGlass = Boolean.TRUE.equals(input.breakGlass());
    draft.setBreakGlass(askedBreakGlass ? Boolean.FALSE : null);
    boolean self = principals.isSamePerson(caller.userId(), input.principal());
    AccessPolicy.Preview p = policy.preview(draft, self);
    AccessPolicy.Scope scope = p.scope();
    if (scope == null) {
      return new Forecast(Outcome.NOT_ALLOWED, "No policy allows you to ask for " + valid.permission() + " in this account",
          null, List.of(), 0, null, false);
    }
    Duration max = Duration.ofMinutes(scope.maxDurationMinutes());
    if (!self && !scope.mayRequestForOthers()) {
      return new Forecast(Outcome.NOT_ALLOWED, "Policy '" + scope.name() + "' lets you ask only for yourself, not for "
          + input.principal(), scope.name(), scope.approverGroups(), scope.approvalsRequired(), max, false);
    }
    String outcome = p.approval() == null || p.approval().outcome() == null ? AccessPolicy.Approval.MANUAL
        : p.approval().outcome();
    String reason = p.approval() == null || p.approval().reason() == null ? "Needs an approver's review"
        : p.approval().reason();
    Outcome forecast = switch (outcome) {
      case AccessPolicy.Approval.APPROVE -> Outcome.APPROVED_AT_ONCE;
      case AccessPolicy.Approval.DENY -> Outcome.DENIED;
      default -> Outcome.NEEDS_REVIEW;
    };
    if (askedBreakGlass && scope.breakGlassAllowed() && forecast != Outcome.DENIED) {
      forecast = Outcome.BREAK_GLASS_AT_ONCE;
      reason = "Break-glass: granted at once; an approver of " + String.join(", ", scope.approverGroups())
          + " reviews it afterwards";
    } else if (askedBreakGlass) {
      reason = "Break-glass is not allowed here. " + reason;
    }
    return new Forecast(forecast, reason, scope.name(), scope.approverGroups(), scope.approvalsRequired(), max,
        scope.breakGlassAllowed());
  }
}
