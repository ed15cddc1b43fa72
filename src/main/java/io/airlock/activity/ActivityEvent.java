package io.airlock.activity;

import java.time.Instant;

/**
 * One CloudTrail event of a principal, as LookupEvents returned it. {@code resources} is
 * "type name" pairs joined by ", "; {@code cloudTrailEvent} the full event record (JSON).
 */
public record ActivityEvent(String eventId, String region, Instant eventTime, String eventSource, String eventName,
    String readOnly, String username, String accessKeyId, String resources, String cloudTrailEvent) {}
