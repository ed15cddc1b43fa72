package io.airlock.process;

import static io.airlock.process.AccessRequestModel.Variables.*;

import io.airlock.request.RequestWorkflow;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.ReviewDecision;
import io.airlock.request.SubmitRequest;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ActivityTypes;
import io.airlock.request.RequestService.TimelineEntry;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.task.Task;
import org.springframework.stereotype.Component;

/** {@link RequestWorkflow} on the Camunda engine: the REST API acts as the signed-in user. */
@Component
class CamundaRequestWorkflow implements RequestWorkflow {

  private final RuntimeService runtime;
  private final TaskService tasks;
  private final IdentityService identity;
  private final HistoryService historyService;
  private final ManagementService management;

  CamundaRequestWorkflow(RuntimeService runtime, TaskService tasks, IdentityService identity,
      HistoryService historyService, ManagementService management) {
    this.historyService = historyService;
    this.management = management;
    this.runtime = runtime;
    this.tasks = tasks;
    this.identity = identity;
  }

  @Override
  public String start(String requester, List<String> requesterGroups, SubmitRequest r) {
    Map<String, Object> vars = new HashMap<>();
    vars.put(SYSTEM, r.system());
    vars.put(TARGET, r.target());
    vars.put(PRINCIPAL, r.principal());
    vars.put(PERMISSION, r.permission());
    vars.put(DURATION, r.duration());
    vars.put(JUSTIFICATION, r.justification());
    vars.put(TICKET, r.ticket());
    vars.put(START_AT, r.startAt());
    vars.put(BREAK_GLASS, Boolean.TRUE.equals(r.breakGlass()));
    if (r.craft() != null) {
      vars.put(CRAFT_TEMPLATE, r.craft().template());
      vars.put(CRAFT_BUCKETS, String.join(",", r.craft().buckets()));
      vars.put(CRAFT_SERVICES, String.join(",", r.craft().services()));
      vars.put(CRAFT_POLICY, r.craft().policy());
    }
    // The first step takes the requester from the authentication and gives the request its id,
    // which becomes the business key.
    return as(requester, requesterGroups, () -> runtime.startProcessInstanceByKey(
        AccessRequestModel.PROCESS_KEY, vars)).getBusinessKey();
  }

  @Override
  public void completeReview(String requestId, String reviewer, List<String> reviewerGroups, ReviewDecision decision) {
    Task task = openTask(requestId).orElseThrow(() -> notWaiting(requestId));
    Map<String, Object> vars = new HashMap<>();
    vars.put(REVIEW_OUTCOME, decision.outcome().name());
    vars.put(REVIEW_COMMENT, decision.comment());
    try {
      as(reviewer, reviewerGroups, () -> {
        tasks.complete(task.getId(), vars);
        return null;
      });
    } catch (OptimisticLockingException | NullValueException e) {
      throw notWaiting(requestId); // another approver completed it a moment ago
    } catch (AuthorizationException e) {
      // Completed and deleted a moment ago, the task took its candidates' rights with it.
      if (!(e.getCause() instanceof ForbiddenActionException)
          && openTask(requestId).map(Task::getId).filter(task.getId()::equals).isEmpty()) {
        throw notWaiting(requestId);
      }
      throw e;
    }
  }

  private static ConflictingStateException notWaiting(String requestId) {
    return new ConflictingStateException("Request " + requestId + " is no longer waiting for review: "
        + "another approver decided it a moment ago");
  }

  @Override
  public boolean requestRevoke(String requestId) {
    // The use case has checked who may revoke and recorded it; the correlation is Airlock's own step.
    return as(null, List.of(), () -> !runtime.createMessageCorrelation(AccessRequestModel.Messages.REVOKE_REQUESTED)
        .processInstanceBusinessKey(requestId)
        .correlateAllWithResult().isEmpty());
  }

  @Override
  public void withdraw(String requestId) {
    // The use case has checked who may withdraw and recorded it; the correlation is Airlock's own step.
    as(null, List.of(), () -> runtime.createMessageCorrelation(AccessRequestModel.Messages.REQUEST_WITHDRAWN)
        .processInstanceBusinessKey(requestId)
        .correlateAllWithResult());
  }

  @Override
  public Set<String> running(Collection<String> processInstanceIds) {
    if (processInstanceIds.isEmpty()) {
      return Set.of();
    }
    Set<String> running = new HashSet<>();
    List<String> ids = List.copyOf(new HashSet<>(processInstanceIds));
    for (int from = 0; from < ids.size(); from += 500) {
      List<String> page = ids.subList(from, Math.min(ids.size(), from + 500));
      as(null, List.of(), () -> runtime.createProcessInstanceQuery().processInstanceIds(new HashSet<>(page)).list())
          .forEach(pi -> running.add(pi.getId()));
    }
    return running;
  }

  @Override
  public int retryFailedJobs(String requestId) {
    // Airlock's own step (the reconciler), not a caller's: the jobs re-check everything they do.
    return as(null, List.of(), () -> {
      var instances = runtime.createProcessInstanceQuery()
          .processDefinitionKey(AccessRequestModel.PROCESS_KEY)
          .processInstanceBusinessKey(requestId).list();
      int n = 0;
      for (var pi : instances) {
        for (var job : management.createJobQuery().processInstanceId(pi.getId()).withException().list()) {
          if (job.getRetries() < 1) {
            management.setJobRetries(job.getId(), 1); // resolves its incident
          }
          management.setJobDuedate(job.getId(), new java.util.Date());
          n++;
        }
      }
      return n;
    });
  }

  @Override
  public String startRevocation(String requestId) {
    // Airlock's own start at the revoke task (the process guard refuses that to anybody else).
    return as(null, List.of(), () -> AirlockSelf.run(() -> runtime
        .createProcessInstanceByKey(AccessRequestModel.PROCESS_KEY)
        .businessKey(requestId)
        .startBeforeActivity(AccessRequestModel.Elements.TASK_REVOKE_ACCESS)
        .execute()
        .getId()));
  }

  @Override
  public boolean cancel(String requestId, String reason) {
    // Airlock's own step, checked by the use case; custom listeners skipped so the status
    // listener does not record the cancellation as a step of the process.
    return as(null, List.of(), () -> AirlockSelf.run(() -> {
      var instances = runtime.createProcessInstanceQuery()
          .processDefinitionKey(AccessRequestModel.PROCESS_KEY)
          .processInstanceBusinessKey(requestId).list();
      instances.forEach(pi -> runtime.deleteProcessInstance(pi.getId(), reason, true, true));
      return !instances.isEmpty();
    }));
  }

  /** Engine events worth a line in the request's history, by activity type. */
  private static final Map<String, String> HISTORY_EVENTS = Map.of(
      ActivityTypes.BOUNDARY_TIMER, "process.timerFired",
      ActivityTypes.INTERMEDIATE_EVENT_TIMER, "process.timerFired",
      ActivityTypes.BOUNDARY_MESSAGE, "process.messageReceived",
      ActivityTypes.INTERMEDIATE_EVENT_MESSAGE, "process.messageReceived",
      ActivityTypes.BOUNDARY_CONDITIONAL, "process.conditionMet",
      ActivityTypes.INTERMEDIATE_EVENT_CONDITIONAL, "process.conditionMet",
      ActivityTypes.END_EVENT_NONE, "process.endReached"); // a path's end: the process ends with its last

  @Override
  public List<TimelineEntry> history(String requestId) {
    // Read as Airlock: the caller may read the request (checked by the use case), not
    // necessarily the engine's history.
    return as(null, List.of(), () -> historyOf(requestId));
  }

  private List<TimelineEntry> historyOf(String requestId) {
    List<String> instances = historyService.createHistoricProcessInstanceQuery()
        .processDefinitionKey(AccessRequestModel.PROCESS_KEY).processInstanceBusinessKey(requestId).list().stream()
        .map(org.camunda.bpm.engine.history.HistoricProcessInstance::getId).toList();
    List<TimelineEntry> entries = new java.util.ArrayList<>();
    for (String instance : instances) {
      historyService.createHistoricActivityInstanceQuery().processInstanceId(instance).list().stream()
          .filter(a -> HISTORY_EVENTS.containsKey(a.getActivityType()))
          .forEach(a -> entries.add(new TimelineEntry(a.getStartTime().toInstant(), "process",
              HISTORY_EVENTS.get(a.getActivityType()), element(a.getActivityId(), a.getActivityName()))));
      historyService.createHistoricTaskInstanceQuery().processInstanceId(instance).list().forEach(t -> {
        Map<String, Object> details = element(t.getTaskDefinitionKey(), t.getName());
        entries.add(new TimelineEntry(t.getStartTime().toInstant(), "process", "process.taskCreated", details));
        if (t.getEndTime() != null) {
          Map<String, Object> ended = new java.util.LinkedHashMap<>(details);
          ended.put("outcome", t.getDeleteReason());
          entries.add(new TimelineEntry(t.getEndTime().toInstant(), t.getAssignee() == null ? "process" : t.getAssignee(),
              "process.taskEnded", ended));
        }
      });
      historyService.createHistoricIncidentQuery().processInstanceId(instance).list().forEach(i -> {
        Map<String, Object> details = element(i.getActivityId(), null);
        details.put("reason", i.getIncidentMessage());
        entries.add(new TimelineEntry(i.getCreateTime().toInstant(), "process", "process.incidentOpened", details));
        if (i.getEndTime() != null) {
          entries.add(new TimelineEntry(i.getEndTime().toInstant(), "process",
              i.isResolved() ? "process.incidentResolved" : "process.incidentDeleted", element(i.getActivityId(), null)));
        }
      });
    }
    entries.sort(java.util.Comparator.comparing(TimelineEntry::at));
    return entries;
  }

  private static Map<String, Object> element(String id, String name) {
    Map<String, Object> details = new java.util.LinkedHashMap<>();
    details.put("element", name == null ? id : name);
    details.put("elementId", id);
    return details;
  }

  @Override
  public Optional<String> openReviewTask(String requestId) {
    return openTask(requestId).map(Task::getId);
  }

  private Optional<Task> openTask(String requestId) {
    return tasks.createTaskQuery()
        .processDefinitionKey(AccessRequestModel.PROCESS_KEY)
        .processInstanceBusinessKey(requestId)
        .taskDefinitionKey(AccessRequestModel.Elements.TASK_REVIEW_REQUEST)
        .list().stream().findFirst();
  }

  /**
   * Runs engine calls as the user, so authorizations, initiator and the review guard see them;
   * with no user, as Airlock itself.
   */
  private <T> T as(String userId, List<String> groups, Supplier<T> work) {
    return EngineIdentity.as(identity, userId, groups, work);
  }
}
