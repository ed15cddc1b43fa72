package io.airlock.process;

import io.airlock.audit.AuditLog;
import io.airlock.proposal.PolicyProposals;
import io.airlock.request.ProcessGone;
import io.airlock.request.AccessReconciler;
import io.airlock.request.ForbiddenActionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Guards of the access-request process that no caller can skip: they are the engine's
 * built-in listeners (added at parse time, not in the model), which run even when a start,
 * modification or deletion asks to skip custom listeners.
 * <ul>
 *   <li>Start: an instance starts at its start event ("Access requested"). Starting at any
 *       other activity (start instructions, restart from history) is refused, except for
 *       Airlock's own revocation of a request whose process is gone.
 *   <li>Drift reconciliation ({@code inventory-scan}): starts at its start event only, so its
 *       summary counts only what its own steps did.
 *   <li>End: when an instance ends before its request did (cancelled or deleted in Cockpit,
 *       through the engine REST API, by a failed node), the request is ended with it; access it
 *       may hold is revoked by the reconciler, woken as soon as this commits.
 * </ul>
 */
@Component
class ProcessGuard extends AbstractProcessEnginePlugin {

  private final ProcessGone processGone;
  private final AccessReconciler reconciler;
  private final AuditLog audit;
  private final IdentityService identity;

  private final PolicyProposals proposals;

  ProcessGuard(@Lazy ProcessGone processGone, @Lazy AccessReconciler reconciler, @Lazy AuditLog audit,
      @Lazy IdentityService identity, @Lazy PolicyProposals proposals) {
    this.proposals = proposals;
    this.processGone = processGone;
    this.reconciler = reconciler;
    this.audit = audit;
    this.identity = identity;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    List<BpmnParseListener> listeners = new ArrayList<>();
    if (configuration.getCustomPreBPMNParseListeners() != null) {
      listeners.addAll(configuration.getCustomPreBPMNParseListeners());
    }
    listeners.add(new AbstractBpmnParseListener() {
      @Override
      public void parseProcess(Element processElement, ProcessDefinitionEntity processDefinition) {
        if (AccessRequestModel.PROCESS_KEY.equals(processDefinition.getKey())) {
          processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_START, (ExecutionListener) ProcessGuard.this::started);
          processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_END, (ExecutionListener) ProcessGuard.this::ended);
        } else if (InventoryScanModel.PROCESS_KEY.equals(processDefinition.getKey())) {
          processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_START,
              (ExecutionListener) ProcessGuard.this::reconciliationStarted);
        } else if (PolicyProposalModel.PROCESS_KEY.equals(processDefinition.getKey())) {
          processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_START,
              (ExecutionListener) ProcessGuard.this::proposalStarted);
          processDefinition.addBuiltInListener(ExecutionListener.EVENTNAME_END,
              (ExecutionListener) ProcessGuard.this::proposalEnded);
        }
      }
    });
    configuration.setCustomPreBPMNParseListeners(listeners);
  }

  /** The process instance starts; its current activity is where it was asked to start. */
  void started(DelegateExecution execution) {
    String initial = execution.getCurrentActivityId();
    if (AccessRequestModel.Elements.START_ACCESS_REQUESTED.equals(initial) || AirlockSelf.active()) {
      return;
    }
    String actor = Steps.signedIn(identity);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "start at another activity than 'Access requested'");
    details.put("activity", String.valueOf(initial));
    details.put("businessKey", String.valueOf(execution.getProcessBusinessKey()));
    audit.refused(actor, "refused.start", null, details);
    EngineErrors.translate(() -> {
      throw new ForbiddenActionException("Access requests start at 'Access requested'; starting at '" + initial
          + "' is refused");
    });
  }

  /**
   * A drift reconciliation starts at its start event: a run started at a later step (start
   * instructions, restart) would record a summary of counts it never made.
   */
  void reconciliationStarted(DelegateExecution execution) {
    String initial = execution.getCurrentActivityId();
    if (InventoryScanModel.Elements.START_SCHEDULED.equals(initial)) {
      return;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "drift reconciliation started at another activity than its start event");
    details.put("activity", String.valueOf(initial));
    audit.refused(Steps.signedIn(identity), "refused.start", null, details);
    EngineErrors.translate(() -> {
      throw new ForbiddenActionException("A drift reconciliation starts at 'Reconciliation due'; starting at '"
          + initial + "' is refused");
    });
  }

  /**
   * A policy proposal's review is started by Airlock when a policy author deploys, at its start
   * event; nobody starts one by hand (it would review nothing, or another proposal a second time).
   */
  void proposalStarted(DelegateExecution execution) {
    String initial = execution.getCurrentActivityId();
    if (AirlockSelf.active() && PolicyProposalModel.Elements.START_POLICY_PROPOSED.equals(initial)) {
      return;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "a policy proposal's review is started by Airlock when a policy author deploys");
    details.put("activity", String.valueOf(initial));
    details.put("businessKey", String.valueOf(execution.getProcessBusinessKey()));
    audit.refused(Steps.signedIn(identity), "refused.start", null, details);
    EngineErrors.translate(() -> {
      throw new ForbiddenActionException("A policy proposal's review starts when a policy author deploys models "
          + "(Camunda Modeler's Deploy, or the engine REST API); it is not started by hand");
    });
  }

  /** A proposal's review ended: when cancelled or deleted while it waited, the proposal ends with it. */
  void proposalEnded(DelegateExecution execution) {
    String key = execution.getProcessBusinessKey();
    if (key != null && key.matches("\\d{1,18}")) {
      proposals.reviewEnded(Long.parseLong(key), Steps.signedIn(identity));
    }
  }

  /** The process instance ended, normally or because it was cancelled or deleted. */
  void ended(DelegateExecution execution) {
    if (AirlockSelf.active()) {
      return; // Airlock's own cancellation (teardown) ends the request itself
    }
    String requestId = execution.getProcessBusinessKey();
    if (processGone.processEnded(requestId, execution.getProcessInstanceId(), Steps.signedIn(identity))) {
      if (TransactionSynchronizationManager.isSynchronizationActive()) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
          @Override
          public void afterCommit() {
            reconciler.reconcileSoon(requestId);
          }
        });
      } else {
        reconciler.reconcileSoon(requestId);
      }
    }
  }
}
