package io.airlock.identity;

import io.airlock.audit.AuditLog;
import io.airlock.logging.LogSafe;
import io.airlock.policy.AsAirlock;
import io.airlock.process.AccessRequestProcess;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.PathSegment;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngines;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.authorization.TaskPermissions;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * Engine REST requests ({@code /engine-rest} and the webapps' {@code /camunda/api/engine}) whose
 * refusal Camunda's resources would answer with a 500 and an engine message, answered in
 * Airlock's words instead. A caller the engine would refuse anyway (403) still gets the engine's
 * answer: only what would reach the engine's failure is answered here.
 * <ul>
 *   <li>{@code POST .../task/{id}/bpmnError} and {@code .../bpmnEscalation} at a task of the
 *       access-request process: 400, those tasks end through their forms (a review is approved
 *       or denied, the principal's access ended or extended) and the model catches no error or
 *       escalation there. The engine would fail the propagation ("ENGINE-13033 ...").
 *   <li>{@code POST .../job/{id}/execute} of a job of the access-request process: run here, so
 *       that a refusal of Airlock's step (e.g. a grant without a recorded approval) reaches the
 *       engine REST exception mappers as itself (403/400/409 with its sentence); Camunda's
 *       resource turns it into a 500 without its cause.
 *   <li>{@code PUT .../job/{id}/retries} and {@code POST .../job/{id}/execute} of a job that is
 *       not there (it ran already, or never was): 404 in words, not the engine's "ENGINE-13028"
 *       as a 500.
 * </ul>
 */
@Priority(Priorities.USER)
public class EngineRestRefusals implements ContainerRequestFilter {

  private static final Logger REFUSALS = LoggerFactory.getLogger("io.airlock.refused");
  private static final List<String> THROWS = List.of("bpmnError", "bpmnEscalation");

  /** Airlock's application context, for the audit log: Jersey, not Spring, makes this filter. */
  @Context
  private ServletContext servletContext;

  @Override
  public void filter(ContainerRequestContext request) {
    List<PathSegment> path = request.getUriInfo().getPathSegments();
    int n = path.size();
    if (n < 3) {
      return;
    }
    String resource = path.get(n - 3).getPath();
    String id = path.get(n - 2).getPath();
    String action = path.get(n - 1).getPath();
    String method = request.getMethod();
    ProcessEngine engine = ProcessEngines.getDefaultProcessEngine(false);
    if (engine == null) {
      return;
    }
    if ("task".equals(resource) && "POST".equals(method) && THROWS.contains(action)) {
      throwAtTask(request, engine, id, action);
    } else if ("job".equals(resource) && ("POST".equals(method) && "execute".equals(action)
        || "PUT".equals(method) && "retries".equals(action))) {
      job(request, engine, id, action);
    }
  }

  private void throwAtTask(ContainerRequestContext request, ProcessEngine engine, String taskId, String action) {
    Authentication caller = engine.getIdentityService().getCurrentAuthentication();
    Task task = AsAirlock.run(engine.getIdentityService(), () -> engine.getTaskService().createTaskQuery().taskId(taskId)
        .processDefinitionKey(AccessRequestProcess.PROCESS_KEY).singleResult());
    if (task == null || caller == null || !mayWork(engine, caller, taskId)) {
      return; // the engine answers: 404, or 403 for a task the caller may not work on
    }
    String what = "bpmnError".equals(action) ? "BPMN error" : "BPMN escalation";
    audit(engine, caller, task, action);
    REFUSALS.warn("Refused: a {} at task {} ({}): it ends only through its form", what, LogSafe.of(taskId),
        task.getTaskDefinitionKey());
    request.abortWith(answer(Response.Status.BAD_REQUEST, "InvalidRequestException", "The task \"" + task.getName()
        + "\" ends only through its form: complete it with your decision. It takes no " + what + ".")); 
  }

  /** Every refusal is in the audit log ({@code refused.bpmnError}, {@code refused.bpmnEscalation}). */
  private void audit(ProcessEngine engine, Authentication caller, Task task, String action) {
    WebApplicationContext spring = servletContext == null ? null
        : WebApplicationContextUtils.getWebApplicationContext(servletContext);
    if (spring == null) {
      return;
    }
    String requestId = AsAirlock.run(engine.getIdentityService(), () -> {
      var instance = engine.getRuntimeService().createProcessInstanceQuery()
          .processInstanceId(task.getProcessInstanceId()).singleResult();
      return instance == null ? null : instance.getBusinessKey();
    });
    spring.getBean(AuditLog.class).refused(caller.getUserId(), "refused." + action, requestId, Map.of(
        "reason", "the task ends only through its form", "taskId", task.getId(), "task", task.getTaskDefinitionKey()));
  }

  /** What the engine asks of whoever throws at a task: TASK_WORK or UPDATE on it or on its definition. */
  private static boolean mayWork(ProcessEngine engine, Authentication caller, String taskId) {
    if (!engine.getProcessEngineConfiguration().isAuthorizationEnabled()) {
      return true;
    }
    return AsAirlock.run(engine.getIdentityService(), () ->
        authorized(engine, caller, TaskPermissions.TASK_WORK, Resources.TASK, taskId)
        || authorized(engine, caller, Permissions.UPDATE, Resources.TASK, taskId)
        || authorized(engine, caller, ProcessDefinitionPermissions.TASK_WORK, Resources.PROCESS_DEFINITION,
            AccessRequestProcess.PROCESS_KEY)
        || authorized(engine, caller, ProcessDefinitionPermissions.UPDATE_TASK, Resources.PROCESS_DEFINITION,
            AccessRequestProcess.PROCESS_KEY));
  }

  private static boolean authorized(ProcessEngine engine, Authentication caller, Permission permission,
      Resource resource, String id) {
    return engine.getAuthorizationService().isUserAuthorized(caller.getUserId(), caller.getGroupIds(), permission,
        resource, id);
  }

  private static void job(ContainerRequestContext request, ProcessEngine engine, String jobId, String action) {
    // Whether it is there at all: one the caller may not see gets the engine's 403.
    Job job = AsAirlock.run(engine.getIdentityService(),
        () -> engine.getManagementService().createJobQuery().jobId(jobId).singleResult());
    if (job == null) {
      REFUSALS.warn("Refused: {} of job {}: no such job", action, LogSafe.of(jobId));
      request.abortWith(answer(Response.Status.NOT_FOUND, "NotFoundException", "There is no job " + jobId
          + ": it ran already, or it was never there."));
      return;
    }
    if (!"execute".equals(action) || engine.getManagementService().createJobQuery().jobId(jobId)
        .processDefinitionKey(AccessRequestProcess.PROCESS_KEY).count() == 0) {
      return;
    }
    // A refusal thrown by the step propagates to the exception mappers as itself.
    engine.getManagementService().executeJob(jobId);
    request.abortWith(Response.noContent().build());
  }

  private static Response answer(Response.Status status, String type, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("type", type, "message", message))
        .build();
  }
}
