package io.airlock.identity;

import io.airlock.audit.AuditLog;
import io.airlock.logging.LogSafe;
import io.airlock.process.EngineIdentity;
import io.airlock.process.AccessRequestModel;
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
 *   <li>{@code POST .../message} with an Object, File or Bytes correlation key: 400 naming it
 *       ({@link #correlationKeys}).
 *   <li>{@code POST|PUT .../variables/{name}/data}: 400, binary and object uploads are refused
 *       ({@link #binaryVariable}).
 *   <li>{@code PUT .../job/{id}/retries} and {@code POST .../job/{id}/execute} of a job that is
 *       not there (it ran already, or never was): 404 in words, not the engine's "ENGINE-13028"
 *       as a 500.
 * </ul>
 */
@Priority(Priorities.USER)
public class EngineRestRefusals implements ContainerRequestFilter {

  private static final Logger REFUSALS = LoggerFactory.getLogger("io.airlock.refused");
  private static final List<String> THROWS = List.of("bpmnError", "bpmnEscalation");
  private static final List<String> VARIABLES = List.of("variables", "localVariables");

  /** Airlock's application context, for the audit log: Jersey, not Spring, makes this filter. */
  @Context
  private ServletContext servletContext;

  @Override
  public void filter(ContainerRequestContext request) {
    List<PathSegment> path = request.getUriInfo().getPathSegments();
    int n = path.size();
    if (n > 0 && "message".equals(path.get(n - 1).getPath()) && "POST".equals(request.getMethod())
        && (n == 1 || n == 3 && "engine".equals(path.get(0).getPath()))) {
      correlationKeys(request);
      return;
    }
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
    if (VARIABLES.contains(resource) && "data".equals(action) && ("POST".equals(method) || "PUT".equals(method))) {
      binaryVariable(request, engine, path, id);
    } else if ("task".equals(resource) && "POST".equals(method) && THROWS.contains(action)) {
      throwAtTask(request, engine, id, action);
    } else if ("job".equals(resource) && ("POST".equals(method) && "execute".equals(action)
        || "PUT".equals(method) && "retries".equals(action))) {
      job(request, engine, id, action);
    }
  }

  /**
   * {@code POST|PUT .../variables/{name}/data} (on a process instance, execution, task or case):
   * the multipart upload of a Bytes, File or Object value, which names a Java class for Camunda
   * to build from the upload. No person has a reason to send one (Airlock's forms and API send
   * plain values; io.airlock.process.PlainVariables refuses the JSON forms of these values): 400
   * naming the variable, audited, whoever asks. Airlock itself never uploads through REST.
   */
  private void binaryVariable(ContainerRequestContext request, ProcessEngine engine, List<PathSegment> path,
      String name) {
    Authentication caller = engine.getIdentityService().getCurrentAuthentication();
    WebApplicationContext spring = servletContext == null ? null
        : WebApplicationContextUtils.getWebApplicationContext(servletContext);
    if (spring != null) {
      StringBuilder where = new StringBuilder();
      path.subList(0, path.size() - 1).forEach(p -> where.append('/').append(p.getPath()));
      spring.getBean(AuditLog.class).refused(caller == null ? null : caller.getUserId(), "refused.variable", null,
          Map.of("reason", "a binary or object variable uploaded", "variable", name, "path", where.toString()));
    }
    REFUSALS.warn("Refused: an upload of variable {} as binary data: only plain values are taken", LogSafe.of(name));
    request.abortWith(answer(Response.Status.BAD_REQUEST, "InvalidRequestException", name + ": a Bytes, File or "
        + "Object value is refused: variables sent to Airlock's processes are plain values (String, Boolean, Integer, "
        + "Long, Double, Date, Json or Null). Nothing was changed."));
  }

  /**
   * {@code POST .../message}: its correlation keys are matched, not stored, so the engine's
   * serializers (io.airlock.process.PlainVariables) never see them, and an Object key fails in
   * the engine ("Object is not deserialized", a 500). Refused here the same way: 400 naming the
   * key. The message's variables are stored, and refused by the engine's check.
   */
  private void correlationKeys(ContainerRequestContext request) {
    byte[] body;
    try {
      body = request.getEntityStream().readAllBytes();
    } catch (java.io.IOException e) {
      return; // the resource reads (and answers) the body itself
    }
    request.setEntityStream(new java.io.ByteArrayInputStream(body));
    com.fasterxml.jackson.databind.JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (java.io.IOException e) {
      return;
    }
    if (json == null) {
      return;
    }
    for (String field : List.of("correlationKeys", "localCorrelationKeys")) {
      var keys = json.path(field).fields();
      while (keys.hasNext()) {
        var key = keys.next();
        String type = key.getValue().path("type").asText("");
        var info = key.getValue().path("valueInfo");
        if (List.of("object", "file", "bytes").contains(type.toLowerCase(java.util.Locale.ROOT))
            || info.has("objectTypeName") || info.has("serializationDataFormat")) {
          WebApplicationContext spring = servletContext == null ? null
              : WebApplicationContextUtils.getWebApplicationContext(servletContext);
          ProcessEngine engine = ProcessEngines.getDefaultProcessEngine(false);
          Authentication caller = engine == null ? null : engine.getIdentityService().getCurrentAuthentication();
          if (spring != null) {
            spring.getBean(AuditLog.class).refused(caller == null ? null : caller.getUserId(), "refused.variable", null,
                Map.of("reason", "a correlation key that is not plain data", "variable", key.getKey(), "type", type));
          }
          REFUSALS.warn("Refused: correlation key {} of type {}: only plain values are taken", LogSafe.of(key.getKey()),
              LogSafe.of(type));
          request.abortWith(answer(Response.Status.BAD_REQUEST, "InvalidRequestException", key.getKey() + ": a value "
              + "of type " + type + " is refused: variables sent to Airlock's processes are plain values (String, "
              + "Boolean, Integer, Long, Double, Date, Json or Null). Nothing was changed."));
          return;
        }
      }
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private void throwAtTask(ContainerRequestContext request, ProcessEngine engine, String taskId, String action) {
    Authentication caller = engine.getIdentityService().getCurrentAuthentication();
    Task task = EngineIdentity.asAirlock(engine.getIdentityService(), () -> engine.getTaskService().createTaskQuery().taskId(taskId)
        .processDefinitionKey(AccessRequestModel.PROCESS_KEY).singleResult());
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
    String requestId = EngineIdentity.asAirlock(engine.getIdentityService(), () -> {
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
    return EngineIdentity.asAirlock(engine.getIdentityService(), () ->
        authorized(engine, caller, TaskPermissions.TASK_WORK, Resources.TASK, taskId)
        || authorized(engine, caller, Permissions.UPDATE, Resources.TASK, taskId)
        || authorized(engine, caller, ProcessDefinitionPermissions.TASK_WORK, Resources.PROCESS_DEFINITION,
            AccessRequestModel.PROCESS_KEY)
        || authorized(engine, caller, ProcessDefinitionPermissions.UPDATE_TASK, Resources.PROCESS_DEFINITION,
            AccessRequestModel.PROCESS_KEY));
  }

  private static boolean authorized(ProcessEngine engine, Authentication caller, Permission permission,
      Resource resource, String id) {
    return engine.getAuthorizationService().isUserAuthorized(caller.getUserId(), caller.getGroupIds(), permission,
        resource, id);
  }

  private static void job(ContainerRequestContext request, ProcessEngine engine, String jobId, String action) {
    // Whether it is there at all: one the caller may not see gets the engine's 403.
    Job job = EngineIdentity.asAirlock(engine.getIdentityService(),
        () -> engine.getManagementService().createJobQuery().jobId(jobId).singleResult());
    if (job == null) {
      REFUSALS.warn("Refused: {} of job {}: no such job", action, LogSafe.of(jobId));
      request.abortWith(answer(Response.Status.NOT_FOUND, "NotFoundException", "There is no job " + jobId
          + ": it ran already, or it was never there."));
      return;
    }
    if (!"execute".equals(action) || engine.getManagementService().createJobQuery().jobId(jobId)
        .processDefinitionKey(AccessRequestModel.PROCESS_KEY).count() == 0) {
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
