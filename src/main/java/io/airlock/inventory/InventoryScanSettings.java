package io.airlock.inventory;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a scan reads AWS ({@code airlock.inventory.scan.*}).
 *
 * @param callsPerSecond the share of Identity Center's 20 calls a second (this node's
 *                       {@code airlock.aws.calls-per-second}) a scan may use; grants and revokes
 *                       keep the rest, so a scan of thousands of accounts never queues them.
 *                       0: no share of its own (the node's quota alone; benchmarks)
 * @param threads        calls a scan has in flight at once: with AWS's latency of tens of
 *                       milliseconds one thread cannot fill the share
 */
@ConfigurationProperties(prefix = "airlock.inventory.scan")
public record InventoryScanSettings(@DefaultValue("10") int callsPerSecond, @DefaultValue("4") int threads) {

  public InventoryScanSettings {
    if (callsPerSecond < 0) {
      throw new IllegalArgumentException("airlock.inventory.scan.calls-per-second must not be negative");
    }
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("airlock.inventory.scan.threads must be 1..64");
    }
  }
}
