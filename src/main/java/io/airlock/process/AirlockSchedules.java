package io.airlock.process;

import io.airlock.request.DriftProperties;
import org.springframework.stereotype.Component;

/**
 * Schedules from configuration for the models' timer start events:
 * {@code ${airlockSchedules.driftCron}} in {@code bpmn/inventory-scan.bpmn}. Exposes strings
 * only; it is one of the beans a model may name ({@link ExpressionBeans}).
 */
@Component(InventoryScanModel.Beans.SCHEDULES)
public class AirlockSchedules {

  private final String driftCron;

  AirlockSchedules(DriftProperties drift) {
    this.driftCron = drift.cron();
  }

  /** {@code airlock.drift.cron}: a Camunda (Quartz) cron, seconds first. */
  public String getDriftCron() {
    return driftCron;
  }
}
