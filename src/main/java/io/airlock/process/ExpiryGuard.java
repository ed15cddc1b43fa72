package io.airlock.process;

import io.airlock.audit.AuditLog;
import io.airlock.request.ForbiddenActionException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.camunda.bpm.engine.EntityTypes;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.UserOperationLogEntry;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.management.JobDefinition;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * The expiry cannot be moved. Every operation a person makes on jobs, job definitions, process
 * instances and process definitions is written to the engine's user operation log, whichever
 * surface it came through (engine REST API, Cockpit, the webapps' API, a batch being created);
 * this handler reads each entry as it is written, in the operation's own transaction, and
 * refuses (403 in Airlock's words, audited, one WARN line, the operation rolled back) what would
 * delay or stop the end of a grant, for every caller, admin included:
 * <ul>
 *   <li>a new or recalculated due date of the expiry timer ("Access expired") or of the revoke
 *       job ("Revoke access in AWS");
 *   <li>retries of 0 for them (which stops them for good). Setting retries of 1 or more (Cockpit's
 *       retry on an incident) is how operators repair a failed revoke, and stays allowed, unless it
 *       also sets a due date later than now;
 *   <li>suspending them: the job, its job definition, the process instance that holds them, or
 *       the access-request definition while any of its instances runs (a suspended definition
 *       suspends its job definitions, so the timers of grants still to come would be created
 *       suspended); suspensions and zero retries asked for many at once (a batch, a query),
 *       while any expiry timer or revoke job exists, because their instances are not named in
 *       the entry.
 * </ul>
 * Airlock's own calls (no signed-in user: the reconciler moving a failed job to now) write no
 * entry and pass. Removal times (history cleanup) do not touch running jobs and pass.
 *
 * <p>The engine writes these entries only with history level {@code full} (application.yaml);
 * the reconciler still revokes access whose end has passed, whatever moved its timer.
 */
@Component
class ExpiryGuard extends AbstractProcessEnginePlugin {

  static final String REFUSED = "refused.expiry";

  /** The jobs whose moving would move an expiry. */
  static final Set<String> GUARDED_ACTIVITIES = Set.of(AccessRequestModel.Elements.EVENT_ACCESS_EXPIRED,
      AccessRequestModel.Elements.TASK_REVOKE_ACCESS);

  private static final String SUSPENSION_STATE = "suspensionState";
  private static final String RETRIES = "retries";
  private static final String DUE_DATE = "dueDate";
  /** A due date set with retries counts as "now" up to this much later (clocks, the call's own time). */
  private static final long NOW_TOLERANCE_MILLIS = 60_000;

  private final AuditLog audit;
  private final IdentityService identity;
  private final ManagementService management;
  private final RuntimeService runtime;
  private final RepositoryService repository;
  private final Clock clock;

  ExpiryGuard(@Lazy AuditLog audit, @Lazy IdentityService identity, @Lazy ManagementService management,
      @Lazy RuntimeService runtime, @Lazy RepositoryService repository, Clock clock) {
    this.audit = audit;
    this.identity = identity;
    this.management = management;
    this.runtime = runtime;
    this.repository = repository;
    this.clock = clock;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<HistoryEventHandler> handlers = new ArrayList<>();
    if (configuration.getCustomHistoryEventHandlers() != null) {
      handlers.addAll(configuration.getCustomHistoryEventHandlers());
    }
    handlers.add(new HistoryEventHandler() {
      @Override
      public void handleEvent(HistoryEvent event) {
        if (event instanceof UserOperationLogEntry entry) {
          check(entry);
        }
      }

      @Override
      public void handleEvents(List<HistoryEvent> events) {
        events.forEach(this::handleEvent);
      }
    });
    configuration.setCustomHistoryEventHandlers(handlers);
  }

  void check(UserOperationLogEntry entry) {
    String operation = entry.getOperationType();
    if (operation == null || entry.getUserId() == null) {
      return;
    }
    String refusal = switch (operation) {
      case UserOperationLogEntry.OPERATION_TYPE_SET_DUEDATE, UserOperationLogEntry.OPERATION_TYPE_RECALC_DUEDATE ->
          guardedJob(entry) ? "The end of this access is fixed when it is granted: the due date of its "
              + guardedName(entry) + " cannot be changed, by anybody. To end it earlier, revoke it; for more time, "
              + "ask for an extension." : null;
      case UserOperationLogEntry.OPERATION_TYPE_SET_JOB_RETRIES -> retries(entry);
      case UserOperationLogEntry.OPERATION_TYPE_SUSPEND, UserOperationLogEntry.OPERATION_TYPE_SUSPEND_JOB,
          UserOperationLogEntry.OPERATION_TYPE_SUSPEND_JOB_DEFINITION,
          UserOperationLogEntry.OPERATION_TYPE_SUSPEND_PROCESS_DEFINITION -> suspension(entry);
      default -> null;
    };
    if (refusal != null) {
      refuse(entry, refusal);
    }
  }

  private String retries(UserOperationLogEntry entry) {
    if (DUE_DATE.equals(entry.getProperty())) {
      Long due = millis(entry.getNewValue());
      boolean later = entry.getNewValue() != null && (due == null || due > clock.millis() + NOW_TOLERANCE_MILLIS);
      return later && guardedJob(entry) ? "The retries of the " + guardedName(entry) + " may be raised to run it "
          + "now, never with a later due date: that would delay the end of the access." : null;
    }
    if (!RETRIES.equals(entry.getProperty())) {
      return null;
    }
    Long now = millis(entry.getNewValue());
    if (now != null && now >= 1) {
      return null; // the job still runs (a failed one runs again): how an operator repairs
    }
    boolean many = entry.getJobId() == null && entry.getJobDefinitionId() == null;
    if (many ? anyGuardedJob(null, null, null) : guardedJob(entry)) {
      return "The expiry timer and the revoke job of an access keep running: setting "
          + (many ? "retries of many jobs at once to " + entry.getNewValue() + " could include them"
              : "the retries of the " + guardedName(entry) + " to " + entry.getNewValue()
                  + " would stop the end of the access")
          + ". Setting retries of 1 or more (Cockpit's retry on an incident) stays allowed.";
    }
    return null;
  }

  private String suspension(UserOperationLogEntry entry) {
    if (SUSPENSION_STATE.equals(entry.getProperty()) && !"suspended".equalsIgnoreCase(entry.getNewValue())) {
      return null;
    }
    if (entry.getProperty() != null && !SUSPENSION_STATE.equals(entry.getProperty()) && !"async".equals(entry.getProperty())
        && !"nrOfInstances".equals(entry.getProperty())) {
      return null; // the same operation's other properties (includeProcessInstances): judged once, above
    }
    String why = " would not end when it should: its expiry timer or revoke job would be suspended. End it first "
        + "(revoke), or let it expire.";
    String entity = entry.getEntityType();
    if (EntityTypes.JOB.equals(entity) && entry.getJobId() != null
        || EntityTypes.JOB_DEFINITION.equals(entity) && entry.getJobDefinitionId() != null) {
      return guardedJob(entry) ? "The " + guardedName(entry) + " of an access cannot be suspended: the access" + why
          : null;
    }
    if (EntityTypes.JOB.equals(entity) && entry.getJobDefinitionId() != null) {
      return guardedJob(entry) ? "The " + guardedName(entry) + "s of access cannot be suspended: an access" + why
          : null;
    }
    if (entry.getProcessInstanceId() != null) {
      return anyGuardedJob(entry.getProcessInstanceId(), null, null)
          ? "This process instance holds access and cannot be suspended: the access" + why : null;
    }
    String key = definitionKey(entry);
    if (EntityTypes.JOB_DEFINITION.equals(entity) && AccessRequestModel.PROCESS_KEY.equals(key)) {
      return "The job definitions of access requests cannot be suspended: the expiry timers and revoke jobs among "
          + "them would be suspended, and access" + why;
    }
    if (EntityTypes.PROCESS_DEFINITION.equals(entity)) {
      return AccessRequestModel.PROCESS_KEY.equals(key) && runningInstances(entry.getProcessDefinitionId(), key)
          ? "The access-request process cannot be suspended while requests run: the timers of their grants would be "
              + "suspended, and access" + why : null;
    }
    if (entry.getProcessDefinitionId() != null || entry.getProcessDefinitionKey() != null) {
      return AccessRequestModel.PROCESS_KEY.equals(key)
          && anyGuardedJob(null, entry.getProcessDefinitionId(), entry.getProcessDefinitionKey())
          ? "Instances of access requests that hold access cannot be suspended: an access" + why : null;
    }
    // Many instances at once (a batch, a query): which ones is not in the entry.
    return anyGuardedJob(null, null, null) ? "Suspending many instances at once could include instances that hold "
        + "access, and cannot be done while any access is held: such an access" + why : null;
  }

  private boolean guardedJob(UserOperationLogEntry entry) {
    if (entry.getJobDefinitionId() == null) {
      return entry.getJobId() != null && asAirlock(() -> GUARDED_ACTIVITIES.stream().anyMatch(a -> management
          .createJobQuery().jobId(entry.getJobId()).processDefinitionKey(AccessRequestModel.PROCESS_KEY)
          .activityId(a).count() > 0));
    }
    JobDefinition definition = jobDefinition(entry.getJobDefinitionId());
    return definition != null && AccessRequestModel.PROCESS_KEY.equals(definition.getProcessDefinitionKey())
        && GUARDED_ACTIVITIES.contains(definition.getActivityId());
  }

  private String guardedName(UserOperationLogEntry entry) {
    JobDefinition definition = entry.getJobDefinitionId() == null ? null : jobDefinition(entry.getJobDefinitionId());
    return definition != null && AccessRequestModel.Elements.TASK_REVOKE_ACCESS.equals(definition.getActivityId())
        ? "revoke job ('Revoke access in AWS')" : "expiry timer ('Access expired')";
  }

  private JobDefinition jobDefinition(String id) {
    return asAirlock(() -> management.createJobDefinitionQuery().jobDefinitionId(id).singleResult());
  }

  private boolean anyGuardedJob(String processInstanceId, String processDefinitionId, String processDefinitionKey) {
    return asAirlock(() -> GUARDED_ACTIVITIES.stream().anyMatch(activity -> {
      var query = management.createJobQuery().processDefinitionKey(AccessRequestModel.PROCESS_KEY).activityId(activity);
      if (processInstanceId != null) {
        query.processInstanceId(processInstanceId);
      }
      if (processDefinitionId != null) {
        query.processDefinitionId(processDefinitionId);
      }
      return query.count() > 0;
    }));
  }

  private boolean runningInstances(String processDefinitionId, String key) {
    return asAirlock(() -> {
      var query = runtime.createProcessInstanceQuery();
      if (processDefinitionId != null) {
        query.processDefinitionId(processDefinitionId);
      } else {
        query.processDefinitionKey(key);
      }
      return query.count() > 0;
    });
  }

  private String definitionKey(UserOperationLogEntry entry) {
    if (entry.getProcessDefinitionKey() != null) {
      return entry.getProcessDefinitionKey();
    }
    if (entry.getProcessDefinitionId() == null) {
      return null;
    }
    ProcessDefinition definition = asAirlock(() -> repository.createProcessDefinitionQuery()
        .processDefinitionId(entry.getProcessDefinitionId()).singleResult());
    return definition == null ? null : definition.getKey();
  }

  private void refuse(UserOperationLogEntry entry, String message) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "would delay or stop the end of an access");
    details.put("operation", entry.getOperationType());
    details.put("entityType", String.valueOf(entry.getEntityType()));
    put(details, "property", entry.getProperty());
    put(details, "from", entry.getOrgValue());
    put(details, "to", entry.getNewValue());
    put(details, "jobId", entry.getJobId());
    put(details, "jobDefinitionId", entry.getJobDefinitionId());
    put(details, "processInstanceId", entry.getProcessInstanceId());
    put(details, "processDefinitionId", entry.getProcessDefinitionId());
    put(details, "processDefinitionKey", entry.getProcessDefinitionKey());
    audit.refused(entry.getUserId(), REFUSED, requestOf(entry.getProcessInstanceId()), details);
    EngineErrors.translate(() -> {
      throw new ForbiddenActionException(message);
    });
  }

  private String requestOf(String processInstanceId) {
    if (processInstanceId == null) {
      return null;
    }
    return asAirlock(() -> {
      var instance = runtime.createProcessInstanceQuery().processInstanceId(processInstanceId)
          .processDefinitionKey(AccessRequestModel.PROCESS_KEY).singleResult();
      return instance == null ? null : instance.getBusinessKey();
    });
  }

  private static void put(Map<String, Object> details, String key, String value) {
    if (value != null) {
      details.put(key, value);
    }
  }

  private static Long millis(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Reads as Airlock: whether a job is guarded does not depend on what the caller may see. */
  private <T> T asAirlock(Supplier<T> read) {
    return EngineIdentity.asAirlock(identity, read);
  }
}
