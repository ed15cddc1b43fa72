package io.airlock.inventory;

import java.time.Instant;

/**
 * The first scan of the organization was stored (published once, in the transaction that
 * stored it, on the node that scanned): from now on there is a starter policy to draft.
 *
 * @param finishedAt     when the scan ended
 * @param accounts       accounts found
 * @param permissionSets permission sets found
 */
public record FirstScan(Instant finishedAt, int accounts, int permissionSets) {}
