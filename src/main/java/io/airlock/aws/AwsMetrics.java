package io.airlock.aws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.metrics.SdkMetric;

/**
 * What Airlock's AWS clients do, as Micrometer meters. On every client:
 *
 * <ul>
 *   <li>as the SDK's {@link MetricPublisher}: {@code airlock.aws.calls} counts each HTTP attempt
 *       (what AWS's quotas count: retries and paginator pages included) and
 *       {@code airlock.aws.throttles} each attempt AWS throttled, both tagged {@code service} and
 *       {@code operation}. The SDK classifies the attempt's error itself ({@code ERROR_TYPE}
 *       {@code Throttling}), so no status code or error body is parsed here;</li>
 *   <li>as an {@link ExecutionInterceptor} added after the Identity Center quota: the revoke
 *       lateness {@code airlock.revoke.lateness} (a histogram), from when the access was due to
 *       end to when {@code DeleteAccountAssignment} goes on the wire, so that the wait for the job
 *       executor, the assignment lock and a slot of the 20-a-second quota all count.</li>
 * </ul>
 */
@Component
public final class AwsMetrics implements MetricPublisher, ExecutionInterceptor {

  /** When the access revoked by this call was due to end (set by the adapter on the request). */
  static final ExecutionAttribute<Instant> REVOKE_DUE = new ExecutionAttribute<>("AirlockRevokeDue");
  /** Why it ended: {@code expiry} (its end) or {@code requested} (an entitled actor asked). */
  static final ExecutionAttribute<String> REVOKE_TRIGGER = new ExecutionAttribute<>("AirlockRevokeTrigger");
  private static final ExecutionAttribute<Boolean> LATENESS_RECORDED = new ExecutionAttribute<>("AirlockRevokeLatenessRecorded");

  private static final String ATTEMPT = "ApiCallAttempt";
  private static final String THROTTLING = "Throttling";

  private final MeterRegistry meters;
  private final Clock clock;

  AwsMetrics(MeterRegistry meters, Clock clock) {
    this.meters = meters;
    this.clock = clock;
  }

  @Override
  public void publish(MetricCollection call) {
    String service = first(call, CoreMetric.SERVICE_ID);
    String operation = first(call, CoreMetric.OPERATION_NAME);
    for (MetricCollection attempt : call.children()) {
      if (!ATTEMPT.equals(attempt.name())) {
        continue;
      }
      Counter.builder("airlock.aws.calls").description("HTTP attempts of AWS API calls (retries and pages included)")
          .tag("service", service).tag("operation", operation).register(meters).increment();
      if (THROTTLING.equals(first(attempt, CoreMetric.ERROR_TYPE))) {
        Counter.builder("airlock.aws.throttles").description("AWS API call attempts that AWS throttled")
            .tag("service", service).tag("operation", operation).register(meters).increment();
      }
    }
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    Instant due = attributes.getAttribute(REVOKE_DUE);
    if (due == null || Boolean.TRUE.equals(attributes.getAttribute(LATENESS_RECORDED))) {
      return; // not a revoke, or a retried attempt of one already measured
    }
    attributes.putAttribute(LATENESS_RECORDED, true);
    String trigger = attributes.getAttribute(REVOKE_TRIGGER);
    Duration late = Duration.between(due, clock.instant());
    lateness(trigger == null ? "expiry" : trigger).record(late.isNegative() ? Duration.ZERO : late);
  }

  private Timer lateness(String trigger) {
    return Timer.builder("airlock.revoke.lateness")
        .description("From when access was due to end to when DeleteAccountAssignment was sent")
        .tag("trigger", trigger)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(meters);
  }

  @Override
  public void close() {}

  private static <T> String first(MetricCollection c, SdkMetric<T> metric) {
    List<T> values = c.metricValues(metric);
    return values.isEmpty() || values.get(0) == null ? "unknown" : values.get(0).toString();
  }
}
