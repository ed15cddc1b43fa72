package io.airlock.inventory;

/** Reads the whole inventory from the access system (AWS); implemented by the AWS adapter. */
public interface InventorySource {

  /** Reads everything, page by page, within the API quotas. */
  Inventory scan();

  /** One account with its OU path and tags, read now; empty when not in the organization. */
  java.util.Optional<Inventory.Account> describeAccount(String accountId);
}
