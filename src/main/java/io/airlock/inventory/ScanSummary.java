package io.airlock.inventory;

import java.time.Instant;

/**
 * The last scan: when, by whom, how long, and what it counted. Null times: never scanned.
 *
 * @param kind        {@value #FULL} (everything read) or {@value #INCREMENTAL} (only what the trail
 *                    named as changed, the rest kept); null: never scanned
 * @param fullScanAt  when the last full scan finished
 * @param changesRead write events an incremental scan read from the trail (0 for a full scan)
 */
public record ScanSummary(Instant startedAt, Instant finishedAt, String actor, long durationMs, int awsCalls,
    int accounts, int users, int groups, int memberships, int permissionSets, int assignments, String kind,
    Instant fullScanAt, Integer changesRead) {

  public static final String FULL = "full";
  public static final String INCREMENTAL = "incremental";
}
