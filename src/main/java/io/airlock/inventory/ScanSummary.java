package io.airlock.inventory;

import java.time.Instant;

/** The last scan: when, by whom, how long, and what it counted. Null times: never scanned. */
public record ScanSummary(Instant startedAt, Instant finishedAt, String actor, long durationMs, int awsCalls,
    int accounts, int users, int groups, int memberships, int permissionSets, int assignments) {}
