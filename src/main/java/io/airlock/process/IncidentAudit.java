package io.airlock.process;

import io.airlock.audit.AuditLog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.incident.IncidentHandler;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.runtime.Incident;
import org.springframework.stereotype.Component;

/**
 * Incidents in the audit log: every incident handler of the engine (failed jobs, failed external
 * tasks, and any other type) is wrapped, so that an incident's creation ({@code incident.created},
 * with its type, activity, message and process instance) and its end ({@code incident.resolved}:
 * RESOLVED when a retry was granted and the job went on, DELETED when the job or the instance
 * went away) are written in the engine's transaction that creates or ends it, under the request
 * (the business key). The actor is the signed-in user who caused it (an operator retrying in
 * Cockpit), else {@value #ENGINE}.
 */
@Component
class IncidentAudit extends AbstractProcessEnginePlugin {

  static final String ENGINE = "airlock:engine";

  private final AuditLog audit;

  IncidentAudit(AuditLog audit) {
    this.audit = audit;
  }

  @Override
  public void postInit(ProcessEngineConfigurationImpl configuration) {
    configuration.getIncidentHandlers().replaceAll((type, handler) -> new Audited(handler));
  }

  private final class Audited implements IncidentHandler {
    private final IncidentHandler delegate;

    Audited(IncidentHandler delegate) {
      this.delegate = delegate;
    }

    @Override
    public String getIncidentHandlerType() {
      return delegate.getIncidentHandlerType();
    }

    @Override
    public Incident handleIncident(IncidentContext context, String message) {
      Incident incident = delegate.handleIncident(context, message);
      Map<String, Object> d = details(context);
      if (incident != null) {
        d.put("incidentId", incident.getId());
        d.put("processInstanceId", incident.getProcessInstanceId());
      }
      d.put("message", message == null ? null : message.length() > 1000 ? message.substring(0, 1000) : message);
      audit.record(actor(), "incident.created", requestId(context), d);
      return incident;
    }

    @Override
    public void resolveIncident(IncidentContext context) {
      ended(context, "RESOLVED", () -> delegate.resolveIncident(context));
    }

    @Override
    public void deleteIncident(IncidentContext context) {
      ended(context, "DELETED", () -> delegate.deleteIncident(context));
    }

    /**
     * The engine also asks to resolve or delete when there is no incident (e.g. a job that never
     * failed completes): only the end of an open incident is recorded, with its id.
     */
    private void ended(IncidentContext context, String resolution, Runnable end) {
      CommandContext command = Context.getCommandContext();
      List<String> open = command == null || context.getConfiguration() == null ? List.of()
          : command.getIncidentManager().findIncidentByConfigurationAndIncidentType(context.getConfiguration(),
              delegate.getIncidentHandlerType()).stream().map(Incident::getId).toList();
      String requestId = requestId(context);
      end.run();
      if (!open.isEmpty()) {
        Map<String, Object> d = details(context);
        d.put("incidentIds", open);
        d.put("resolution", resolution);
        audit.record(actor(), "incident.resolved", requestId, d);
      }
    }

    private Map<String, Object> details(IncidentContext context) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("incidentType", delegate.getIncidentHandlerType());
      d.put("activityId", context.getActivityId());
      d.put("failedActivityId", context.getFailedActivityId());
      d.put("processDefinitionId", context.getProcessDefinitionId());
      d.put("executionId", context.getExecutionId());
      d.put("configuration", context.getConfiguration()); // the job's id for failed jobs
      return d;
    }
  }

  private static String actor() {
    CommandContext command = Context.getCommandContext();
    String user = command == null ? null : command.getAuthenticatedUserId();
    return user == null ? ENGINE : user;
  }

  /** The Airlock request of the incident's process instance (its business key), when there is one. */
  private static String requestId(IncidentContext context) {
    CommandContext command = Context.getCommandContext();
    if (command == null || context.getExecutionId() == null) {
      return null;
    }
    ExecutionEntity execution = command.getExecutionManager().findExecutionById(context.getExecutionId());
    String key = execution == null ? null : execution.getProcessBusinessKey();
    return key != null && key.length() <= 36 ? key : null;
  }
}
