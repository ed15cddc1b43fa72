package io.airlock.process;

import static io.airlock.process.AccessRequestProcess.Variables.*;

import io.airlock.request.AccessProcess;
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
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.task.Task;
import org.springframework.stereotype.Component;

/** {@link AccessProcess} on the Camunda engine: the REST API acts as the signed-in user. */
@Component
class CamundaAccessProcess implements AccessProcess {

  private final RuntimeService runtime;
  private final TaskService tasks;
  private final IdentityService identity;

  CamundaAccessProcess(RuntimeService runtime, TaskService tasks, IdentityService identity) {
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
        AccessRequestProcess.PROCESS_KEY, vars)).getBusinessKey();
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
    return as(null, List.of(), () -> !runtime.createMessageCorrelation(AccessRequestProcess.Messages.REVOKE_REQUESTED)
        .processInstanceBusinessKey(requestId)
        .correlateAllWithResult().isEmpty());
  }

  @Override
  public void withdraw(String requestId) {
    // The use case has checked who may withdraw and recorded it; the correlation is Airlock's own step.
    as(null, List.of(), () -> runtime.createMessageCorrelation(AccessRequestProcess.Messages.REQUEST_WITHDRAWN)
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
  public String startRevocation(String requestId) {
    // Airlock's own start at the revoke task (the process guard refuses that to anybody else).
    return as(null, List.of(), () -> AirlockSelf.run(() -> runtime
        .createProcessInstanceByKey(AccessRequestProcess.PROCESS_KEY)
        .businessKey(requestId)
        .startBeforeActivity(AccessRequestProcess.Elements.TASK_REVOKE_ACCESS)
        .execute()
        .getId()));
  }

  @Override
  public boolean cancel(String requestId, String reason) {
    // Airlock's own step, checked by the use case; custom listeners skipped so the status
    // listener does not record the cancellation as a step of the process.
    return as(null, List.of(), () -> AirlockSelf.run(() -> {
      var instances = runtime.createProcessInstanceQuery()
          .processDefinitionKey(AccessRequestProcess.PROCESS_KEY)
          .processInstanceBusinessKey(requestId).list();
      instances.forEach(pi -> runtime.deleteProcessInstance(pi.getId(), reason, true, true));
      return !instances.isEmpty();
    }));
  }

  @Override
  public Optional<String> openReviewTask(String requestId) {
    return openTask(requestId).map(Task::getId);
  }

  private Optional<Task> openTask(String requestId) {
    return tasks.createTaskQuery()
        .processDefinitionKey(AccessRequestProcess.PROCESS_KEY)
        .processInstanceBusinessKey(requestId)
        .taskDefinitionKey(AccessRequestProcess.Elements.TASK_REVIEW_REQUEST)
        .list().stream().findFirst();
  }

  /**
   * Runs engine calls as the user, so authorizations, initiator and the review guard see them;
   * with no user, as Airlock itself.
   */
  private <T> T as(String userId, List<String> groups, Supplier<T> work) {
    Authentication previous = identity.getCurrentAuthentication();
    if (userId == null) {
      identity.clearAuthentication();
    } else {
      identity.setAuthentication(userId, groups);
    }
    try {
      return work.get();
    } finally {
      if (previous == null) {
        identity.clearAuthentication();
      } else {
        identity.setAuthentication(previous);
      }
    }
  }
}
