package io.airlock.aws;

import io.airlock.audit.AuditLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import software.amazon.awssdk.awscore.AwsResponse;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Every AWS call in the audit log ({@value #ACTION}): service, operation, AWS's request id,
 * outcome (OK, or FAILED with the HTTP status and AWS's error code, or the client-side error
 * such as a time-out), and the SDK's attempt count. One interceptor on every SDK client but the
 * audit archive's S3 (shipping the log must not write the log, or it would never be idle).
 *
 * <p>Where the entry is written:
 * <ul>
 *   <li>In a read-write transaction (a grant, a revoke, a drift step): buffered and written just
 *       before that transaction commits, in it. The call's record commits with the change it
 *       made, and a failing audit insert fails the commit (the step is retried; AWS calls are
 *       idempotent). Written at commit, not at the call, because the chain head is locked by the
 *       first entry until commit: writing at the call would hold it across the step's further AWS
 *       calls and polling, serializing every audited change of the cluster behind AWS.</li>
 *   <li>When that transaction rolls back, or is read-only: the calls did happen in AWS, so they
 *       are written after it in a transaction of their own.</li>
 *   <li>Outside any transaction (an inventory scan, a session activity fetch, the start-up
 *       discovery): at once, in a transaction of its own. When the database cannot take it (an
 *       outage), the audit log holds the entry in memory and writes it once the database is
 *       back ({@link AuditLog#recordOwn}), never failing the caller: the call has already
 *       happened, and failing it would only make the caller retry a call that succeeded.</li>
 * </ul>
 */
final class AwsCallAudit implements ExecutionInterceptor {

  static final String ACTION = "aws.call";
  static final String ACTOR = "airlock:aws";

  private final AuditLog audit;

  AwsCallAudit(AuditLog audit) {
    this.audit = audit;
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    Map<String, Object> d = call(attributes);
    d.put("outcome", "OK");
    d.put("httpStatus", context.httpResponse().statusCode());
    if (context.response() instanceof AwsResponse r && r.responseMetadata() != null) {
      d.put("awsRequestId", r.responseMetadata().requestId());
    }
    write(d);
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    Map<String, Object> d = call(attributes);
    d.put("outcome", "FAILED");
    Throwable e = context.exception();
    if (e instanceof AwsServiceException ase) {
      d.put("httpStatus", ase.statusCode());
      d.put("awsRequestId", ase.requestId());
      if (ase.awsErrorDetails() != null) {
        d.put("errorCode", ase.awsErrorDetails().errorCode());
      }
    } else {
      d.put("error", e.getClass().getSimpleName() + ": " + truncate(String.valueOf(e.getMessage())));
    }
    write(d);
  }

  private static Map<String, Object> call(ExecutionAttributes attributes) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("service", attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME));
    d.put("operation", attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
    return d;
  }

  private void write(Map<String, Object> details) {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      writeOwn(List.of(details));
      return;
    }
    Pending pending = (Pending) TransactionSynchronizationManager.getResource(this);
    if (pending == null) {
      pending = new Pending();
      TransactionSynchronizationManager.bindResource(this, pending);
      TransactionSynchronizationManager.registerSynchronization(pending);
    }
    pending.calls.add(details);
  }

  /**
   * In a transaction of their own; while the database cannot take them (an outage), the audit
   * log holds them and writes them once it can ({@link AuditLog#recordOwn}).
   */
  private void writeOwn(List<Map<String, Object>> calls) {
    calls.forEach(d -> audit.recordOwn(ACTOR, ACTION, null, d));
  }

  /** The calls made in one transaction, written at its commit (or after it). */
  private final class Pending implements TransactionSynchronization {
    final List<Map<String, Object>> calls = new ArrayList<>();
    boolean written;

    @Override
    public void beforeCommit(boolean readOnly) {
      if (!readOnly && !calls.isEmpty()) {
        calls.forEach(d -> audit.recordWhileCommitting(ACTOR, ACTION, null, d));
        written = true;
      }
    }

    @Override
    public void afterCompletion(int status) {
      TransactionSynchronizationManager.unbindResourceIfPossible(AwsCallAudit.this);
      if (!written || status != STATUS_COMMITTED) {
        if (!calls.isEmpty()) {
          writeOwn(List.copyOf(calls));
        }
      }
    }
  }

  private static String truncate(String s) {
    return s.length() <= 500 ? s : s.substring(0, 500) + "…";
  }
}
