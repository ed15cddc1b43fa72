package io.airlock.audit;

import java.time.Instant;

/** One row of the audit log. {@code details} is JSON; {@code hash} chains to {@code prevHash}. */
public record AuditEvent(
    long seq,
    Instant occurredAt,
    String actor,
    String action,
    String requestId,
    String details,
    String prevHash,
    String hash) {}
