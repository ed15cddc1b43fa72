package io.airlock.activity;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Session activity ({@code airlock.activity.*}): the principal's CloudTrail events of each grant.
 *
 * @param enabled        fetch after each grant ends (the schedule); on demand works regardless
 * @param roleArn        the read-only role in each member account, {@code {account}} standing for
 *                       the account id (docs/integration-role.md, "Activity reader role"); not
 *                       assumed with the sandbox
 * @param externalId     the external id the reader role's trust policy requires
 * @param regions        where to look (LookupEvents is regional); empty: {@code airlock.aws.region}
 * @param afterEnd       how long after the grant's end a session may still act (an STS session
 *                       outlives the revoke of its assignment): added to the window
 * @param deliveryDelay  how long CloudTrail may take to show an event: a window is complete once
 *                       it closed this long before the fetch
 * @param interval       how often ended grants (and active break-glass grants) are fetched
 * @param callsPerSecond LookupEvents calls a second per account and region (AWS's quota: 2)
 * @param maxWait        how long a fetch waits for the quota before it gives up
 * @param maxEvents      events stored per grant at most (the rest is counted as truncated)
 */
@Validated
@ConfigurationProperties(prefix = "airlock.activity")
public record ActivityProperties(
    @DefaultValue("true") boolean enabled,
    @NotBlank @DefaultValue("arn:aws:iam::{account}:role/AirlockActivityReader") String roleArn,
    @DefaultValue("") String externalId,
    @DefaultValue List<String> regions,
    @NotNull @DefaultValue("PT1H") Duration afterEnd,
    @NotNull @DefaultValue("PT15M") Duration deliveryDelay,
    @NotNull @DefaultValue("PT5M") Duration interval,
    @Min(1) @Max(2) @DefaultValue("2") int callsPerSecond,
    @NotNull @DefaultValue("PT1M") Duration maxWait,
    @Min(1) @Max(100000) @DefaultValue("5000") int maxEvents) {

  /** The reader role of one account. */
  public String roleArnFor(String accountId) {
    return roleArn.replace("{account}", accountId);
  }
}
