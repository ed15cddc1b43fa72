package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.ACCESS_ACCOUNT;
import static io.airlock.process.AccessRequestModel.Variables.ACCESS_ENDS;
import static io.airlock.process.AccessRequestModel.Variables.EXTEND_CHOICES;
import static io.airlock.process.AccessRequestModel.Variables.EXTEND_LIMIT;

import io.airlock.config.AirlockProperties;
import io.airlock.request.AccessLifecycle;
import io.airlock.request.AccessRequest;
import io.airlock.request.ExtensionOptions;
import io.airlock.request.ProcessStep;
import io.airlock.request.RequestLabels;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.spin.plugin.variable.SpinValues;
import org.springframework.stereotype.Component;

/**
 * Create listener of "Manage active access": the principal's task while the access is active,
 * "Your access: PowerUserAccess · staging (333333333333) · ends 14:30 UTC", assigned to the
 * principal's sign-in name, due at the grant's end, follow-up 15 minutes before it (when there is
 * still time to ask for more). Read from the stored request, never from variables; the account,
 * the end time and what more time policy can allow ({@link ExtensionOptions}: the choices of
 * {@code extendBy} and a line in words) also go into task-local variables for the form.
 */
@Component("accessTaskNamer")
class AccessTaskNamer implements TaskListener {

  /** Follow-up this long before the end: time enough to ask for more. */
  static final Duration FOLLOW_UP_BEFORE_END = Duration.ofMinutes(15);

  private final AccessLifecycle lifecycle;
  private final RequestLabels labels;
  private final ZoneId zone;
  private final Clock clock;

  AccessTaskNamer(AccessLifecycle lifecycle, RequestLabels labels, AirlockProperties properties, Clock clock) {
    this.lifecycle = lifecycle;
    this.labels = labels;
    this.zone = properties.policy().timeZone();
    this.clock = clock;
  }

  /** The choices as the form's select reads them ({@code valuesKey}): {@code [{label, value}]}, JSON. */
  String choices(ExtensionOptions options, Instant now) {
    com.fasterxml.jackson.databind.node.ArrayNode list = JSON.createArrayNode();
    for (ExtensionOptions.Option o : options.options()) {
      list.addObject().put("label", o.describe(zone, now)).put("value", o.by().toString());
    }
    return list.toString();
  }

  /** "Up to 3 h 30 min more, until 18:00 UTC (the scope's maximum counts from the first grant)", or why none. */
  String limit(ExtensionOptions options, Instant now) {
    if (!options.possible()) {
      return options.reason();
    }
    return "Up to " + RequestLabels.human(options.maximum()) + " more, until "
        + RequestLabels.time(options.latestEnd(), now, zone) + " (the scope's maximum counts from the first grant)";
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  @Override
  public void notify(DelegateTask task) {
    ProcessStep step = new ProcessStep(task.getExecution().getProcessBusinessKey(), task.getProcessInstanceId(), null);
    AccessRequest r = lifecycle.read(step);
    Instant now = clock.instant();
    Instant end = r.getGrantEnd();
    String account = labels.account(r.getTarget());
    String ends = end == null ? "at its end" : RequestLabels.time(end, now, zone);
    task.setName("Your access: " + r.getPermission() + " · " + account + " · ends " + ends);
    StringBuilder d = new StringBuilder();
    d.append(r.getPrincipal()).append(" holds ").append(r.getPermission()).append(" on ").append(account);
    if (end != null) {
      d.append(" until ").append(RequestLabels.time(end, now, zone));
    }
    d.append(", requested by ").append(r.getRequester()).append(": ").append(r.getJustification())
        .append(" End it now when you are done, or ask for more time (an approver reviews it).");
    task.setDescription(d.length() > 4000 ? d.substring(0, 4000) : d.toString());
    if (end != null) {
      task.setDueDate(Date.from(end));
      Instant followUp = end.minus(FOLLOW_UP_BEFORE_END);
      task.setFollowUpDate(Date.from(followUp.isBefore(now) ? now : followUp));
    }
    task.setVariableLocal(ACCESS_ACCOUNT, account);
    task.setVariableLocal(ACCESS_ENDS, end == null ? null : RequestLabels.time(end, now, zone));
    ExtensionOptions options = ExtensionOptions.forGrant(r, now);
    task.setVariableLocal(EXTEND_CHOICES, SpinValues.jsonValue(choices(options, now)).create());
    task.setVariableLocal(EXTEND_LIMIT, limit(options, now));
    String assignee = lifecycle.accessTaskAssignee(step);
    if (assignee != null) {
      task.setAssignee(assignee);
    }
  }
}
