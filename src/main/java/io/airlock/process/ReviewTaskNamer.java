package io.airlock.process;

import io.airlock.request.AccessLifecycle;
import io.airlock.request.AccessRequest;
import io.airlock.request.ProcessStep;
import io.airlock.config.AirlockProperties;
import io.airlock.request.RequestLabels;
import io.airlock.request.ReviewView;
import java.time.Clock;
import java.time.ZoneId;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;

/**
 * Create listener of the review tasks: the task says what it is in Tasklist's list ("Review:
 * alice · PowerUserAccess · staging (333333333333) · 30 min"), its description gives the scope,
 * its maximum, the policy's reason and the justification, and break-glass reviews come first.
 * Read from the stored request, never from variables. What the review form shows in words (what
 * is asked, the account by name, the duration, the requester's history: {@link ReviewView}) goes
 * into task-local variables; the copies the review guard compares stay as they are.
 */
@Component("reviewTaskNamer")
class ReviewTaskNamer implements TaskListener {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ReviewTaskNamer.class);

  static final int BREAK_GLASS_PRIORITY = 90;

  private final AccessLifecycle lifecycle;
  private final RequestLabels labels;
  private final ReviewView view;
  private final ZoneId zone;
  private final Clock clock;

  ReviewTaskNamer(AccessLifecycle lifecycle, RequestLabels labels, ReviewView view, AirlockProperties properties,
      Clock clock) {
    this.lifecycle = lifecycle;
    this.labels = labels;
    this.view = view;
    this.zone = properties.policy().timeZone();
    this.clock = clock;
  }

  @Override
  public void notify(DelegateTask task) {
    ProcessStep step = new ProcessStep(task.getExecution().getProcessBusinessKey(), task.getProcessInstanceId(), null);
    AccessRequest r = lifecycle.read(step);
    boolean breakGlass = AccessRequestModel.Elements.TASK_REVIEW_BREAK_GLASS.equals(task.getTaskDefinitionKey());
    AccessRequest.Extension extension = r.extension();
    java.time.Instant now = clock.instant();
    StringBuilder d = new StringBuilder();
    if (extension != null) {
      // An extension of live access reads as one: "+42 min, to 15:12 UTC", never its raw remaining duration.
      task.setName("Review: extend " + r.getPrincipal() + " · " + r.getPermission() + " · "
          + labels.account(r.getTarget()) + " · +" + RequestLabels.human(extension.by()) + " to "
          + RequestLabels.time(extension.to(), now, zone));
      d.append(r.getRequester()).append(" asks to ").append(extension.describe(zone, now)).append(": ")
          .append(r.getPermission()).append(" on ").append(labels.account(r.getTarget())).append(" for ")
          .append(r.getPrincipal()).append(".");
    } else {
      task.setName((breakGlass ? "Break-glass review: " : "Review: ") + labels.title(r));
      d.append(r.getRequester()).append(" asks for ").append(r.getPermission()).append(" on ")
          .append(labels.account(r.getTarget())).append(" for ").append(r.getPrincipal()).append(", ")
          .append(RequestLabels.human(r.parsedDuration())).append(".");
    }
    if (r.getScopeName() != null) {
      d.append(" Scope: ").append(r.getScopeName());
      if (r.getMaxDurationMinutes() != null) {
        d.append(" (at most ").append(RequestLabels.human(java.time.Duration.ofMinutes(r.getMaxDurationMinutes())))
            .append(")");
      }
      d.append(".");
    }
    if (r.getApprovalsRequired() != null && r.getApprovalsRequired() > 1) {
      d.append(" Needs ").append(r.getApprovalsRequired()).append(" approvals from different approvers.");
    }
    if (r.getDecisionReason() != null) {
      d.append(" Policy: ").append(r.getDecisionReason());
    }
    d.append(" Justification: ").append(r.getJustification());
    task.setDescription(d.length() > 4000 ? d.substring(0, 4000) : d.toString());
    if (breakGlass) {
      task.setPriority(BREAK_GLASS_PRIORITY);
    }
    try {
      task.setVariablesLocal(view.of(r, breakGlass, clock.instant(), zone));
    } catch (RuntimeException e) {
      // Words for the form are no reason to stop a review: the form then shows the name and description.
      log.warn("Could not put request {} in words for its review form: {}", r.getId(), e.toString());
    }
  }
}
