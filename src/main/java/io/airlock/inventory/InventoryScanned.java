package io.airlock.inventory;

/**
 * A scan was stored: published by {@link InventoryService#scan} inside the transaction that
 * stores it (after its {@code inventory.scanned} audit entry), on the thread that scanned,
 * whoever asked for it (the schedule, a drift run, an operator over the API). A listener that
 * changes something in that transaction commits or rolls back with the scan; the drift run
 * waiting for a scan moves on this way (process/InventoryScannedCorrelation).
 *
 * @param summary what was stored; {@link ScanSummary#startedAt()} is when the scan began reading
 *                AWS, so what it stored is at least as recent as that
 */
public record InventoryScanned(ScanSummary summary) {}
