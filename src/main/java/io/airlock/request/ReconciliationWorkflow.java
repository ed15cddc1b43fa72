package io.airlock.request;

import java.util.List;

/** Port: the drift reconciliation process ({@code bpmn/inventory-scan.bpmn}) on the engine. */
public interface ReconciliationWorkflow {

  /** Starts a run as the signed-in {@code userId} (the engine checks it may); returns the instance id. */
  String start(String userId, List<String> groups);
}
