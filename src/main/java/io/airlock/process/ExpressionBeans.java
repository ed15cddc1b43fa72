package io.airlock.process;

import java.util.AbstractMap;
import java.util.Set;
import org.camunda.bpm.engine.spring.SpringProcessEngineConfiguration;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContext;
import org.springframework.stereotype.Component;

/**
 * The Spring beans a model's expressions may name: only the process's own delegates and
 * listeners ({@link AccessRequestModel.Beans}, {@link InventoryScanModel.Beans}: the drift steps and the
 * schedule strings). By default Camunda resolves any bean of the
 * application in {@code ${...}}, so a deployed model could call the AWS adapter or the use cases
 * directly, around every check; with this, whoever may deploy reaches AWS only through the
 * delegates, and so only through the request's state machine. A new delegate for the model goes
 * into {@code AccessRequestModel.Beans} and {@link #ALLOWED}.
 */
@Component
class ExpressionBeans implements BeanPostProcessor {

  static final Set<String> ALLOWED = Set.of(
      AccessRequestModel.Beans.REGISTER_REQUEST_DELEGATE,
      AccessRequestModel.Beans.CHECK_SCOPE_DELEGATE,
      AccessRequestModel.Beans.DECIDE_APPROVAL_DELEGATE,
      AccessRequestModel.Beans.EXPIRE_REQUEST_DELEGATE,
      AccessRequestModel.Beans.ESCALATE_REVIEW_DELEGATE,
      AccessRequestModel.Beans.REMIND_APPROVERS_DELEGATE,
      AccessRequestModel.Beans.REVIEW_TASK_NAMER,
      AccessRequestModel.Beans.GRANT_ACCESS_DELEGATE,
      AccessRequestModel.Beans.REVOKE_ACCESS_DELEGATE,
      AccessRequestModel.Beans.REVIEW_GUARD,
      AccessRequestModel.Beans.BREAK_GLASS_REVIEW_GUARD,
      AccessRequestModel.Beans.ACCESS_TASK_NAMER,
      AccessRequestModel.Beans.ACCESS_TASK_GUARD,
      AccessRequestModel.Beans.REQUEST_STATUS,
      InventoryScanModel.Beans.ASK_FOR_SCAN_DELEGATE,
      InventoryScanModel.Beans.REVOKE_ENDED_GRANTS_DELEGATE,
      InventoryScanModel.Beans.REMOVE_LEFTOVER_SETS_DELEGATE,
      InventoryScanModel.Beans.REPORT_STANDING_DELEGATE,
      InventoryScanModel.Beans.FAIL_MISSING_TARGETS_DELEGATE,
      InventoryScanModel.Beans.RECORD_SUMMARY_DELEGATE,
      InventoryScanModel.Beans.SCHEDULES,
      InventoryScanModel.Beans.LEGACY_SCAN_DELEGATE,
      PolicyProposalModel.Beans.SIMULATE_DELEGATE,
      PolicyProposalModel.Beans.REVIEW_GUARD,
      PolicyProposalModel.Beans.PUT_IN_FORCE_DELEGATE,
      PolicyProposalModel.Beans.EXPIRE_DELEGATE,
      GroupMembershipModel.Beans.REVIEW_GUARD,
      GroupMembershipModel.Beans.CHANGE_DELEGATE);

  private final ApplicationContext context;

  ExpressionBeans(ApplicationContext context) {
    this.context = context;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof SpringProcessEngineConfiguration configuration) {
      // Read when the engine builds its expression manager (ProcessEngineFactoryBean).
      configuration.setBeans(new AllowedBeans(context));
    }
    return bean;
  }

  /** A read-only view of the allowed beans, looked up when an expression names one. */
  static final class AllowedBeans extends AbstractMap<Object, Object> {

    private final ApplicationContext context;

    AllowedBeans(ApplicationContext context) {
      this.context = context;
    }

    @Override
    public boolean containsKey(Object key) {
      return ALLOWED.contains(key);
    }

    @Override
    public Object get(Object key) {
      return ALLOWED.contains(key) ? context.getBean((String) key) : null;
    }

    @Override
    public Set<Entry<Object, Object>> entrySet() {
      return Set.of(); // never enumerated by the engine; do not hand out the beans
    }
  }
}
