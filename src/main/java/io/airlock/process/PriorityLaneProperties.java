package io.airlock.process;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The job executor's priority lane ({@code airlock.jobs.priority-lane.*}, README "Running several
 * nodes"): jobs of at least {@code minPriority} (the access-expired timer and the revoke) get job
 * threads of their own, which grant jobs never occupy.
 *
 * @param minPriority the lowest job priority that runs in the lane ({@code camunda:jobPriority}
 *                    of {@code Event_AccessExpired} and {@code Task_RevokeAccess}: 100)
 * @param threads     the lane's threads; 0 turns the lane off (every job on Camunda's pool alone)
 */
@Validated
@ConfigurationProperties(prefix = "airlock.jobs.priority-lane")
public record PriorityLaneProperties(
    @DefaultValue("100") long minPriority,
    @Min(0) @Max(50) @DefaultValue("10") int threads) {

  /** Whether the lane has any threads. */
  public boolean enabled() {
    return threads > 0;
  }
}
