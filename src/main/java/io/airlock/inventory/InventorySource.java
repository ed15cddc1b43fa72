package io.airlock.inventory;

/** Reads the whole inventory from the access system (AWS); implemented by the AWS adapter. */
public interface InventorySource {

  /** Reads everything, page by page, within the API quotas. */
  Inventory scan();

  /**
   * Reads everything, and runs {@code stillScanning} now and then while it waits for AWS, on the
   * calling thread (a scan of thousands of accounts takes an hour under the quota; the schedule
   * extends its cluster lock).
   */
  default Inventory scan(Runnable stillScanning) {
    return scan();
  }

  /**
   * What changed since {@code since}, read from the change feed and then from AWS; empty when
   * the feed cannot be read (the caller scans everything instead).
   */
  default java.util.Optional<InventoryChanges> changesSince(java.time.Instant since, InventoryChanges.Known known,
      Runnable stillScanning) {
    return java.util.Optional.empty();
  }

  /** One account with its OU path and tags, read now; empty when not in the organization. */
  java.util.Optional<Inventory.Account> describeAccount(String accountId);
}
