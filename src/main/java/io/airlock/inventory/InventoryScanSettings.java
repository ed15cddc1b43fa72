package io.airlock.inventory;

import java.time.Duration;
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
 * @param incremental    whether the scheduled scans between full ones re-read only what changed:
 *                       what CloudTrail's event history of the Identity Center account names
 *                       (its write events since the last scan); false: every scan reads everything
 * @param fullEvery      how long after the last full scan the schedule reads everything again,
 *                       for what the trail did not name (a change made before the trail saw it, an
 *                       event it never recorded)
 * @param trailLag       how far before the last scan's start an incremental scan reads the trail:
 *                       CloudTrail shows an event in its history about 5 minutes after the call on
 *                       average, with no guarantee, so the windows overlap by an hour (it costs a
 *                       few more trail pages and reads again what they name)
 */
@ConfigurationProperties(prefix = "airlock.inventory.scan")
public record InventoryScanSettings(@DefaultValue("10") int callsPerSecond, @DefaultValue("4") int threads,
    @DefaultValue("true") boolean incremental, @DefaultValue("P1D") Duration fullEvery,
    @DefaultValue("PT1H") Duration trailLag) {

  public InventoryScanSettings {
    if (callsPerSecond < 0) {
      throw new IllegalArgumentException("airlock.inventory.scan.calls-per-second must not be negative");
    }
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("airlock.inventory.scan.threads must be 1..64");
    }
    if (fullEvery == null || fullEvery.isNegative() || fullEvery.isZero()) {
      throw new IllegalArgumentException("airlock.inventory.scan.full-every must be positive, e.g. P1D");
    }
    if (trailLag == null || trailLag.isNegative() || trailLag.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("airlock.inventory.scan.trail-lag must be 0 to 1 day, e.g. PT15M");
    }
  }
}
