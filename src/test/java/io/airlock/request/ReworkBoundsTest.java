package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.inventory.Inventory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Within the original": what a rework may name instead of the permission it changes, and the
 * latest end a rework or extension may have, counted from the first grant.
 */
class ReworkBoundsTest {

  static final Inventory.PermissionSet ADMIN = set("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess");
  static final Inventory.PermissionSet POWER_USER = set("PowerUserAccess", "arn:aws:iam::aws:policy/PowerUserAccess");
  static final Inventory.PermissionSet READ_ONLY = set("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess");
  static final Inventory.PermissionSet VIEW_ONLY = set("ViewOnlyAccess",
      "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess");

  static Inventory.PermissionSet set(String name, String... managed) {
    return new Inventory.PermissionSet("arn:aws:sso:::permissionSet/ssoins-1/ps-" + name, name, null, "PT1H", null,
        List.of(managed), null);
  }

  @Test
  void theSamePermissionSetIsWithin() {
    assertThat(ReworkBounds.wider("ReadOnlyAccess", READ_ONLY, "ReadOnlyAccess", READ_ONLY)).isEmpty();
    // By its ARN too, and by name when Airlock has not scanned it yet.
    assertThat(ReworkBounds.wider("ReadOnlyAccess", READ_ONLY, READ_ONLY.arn(), READ_ONLY)).isEmpty();
    assertThat(ReworkBounds.wider("Fresh", null, "Fresh", null)).isEmpty();
  }

  @Test
  void anythingIsWithinAdministratorAccessAlone() {
    assertThat(ReworkBounds.wider("AdministratorAccess", ADMIN, "ReadOnlyAccess", READ_ONLY)).isEmpty();
    assertThat(ReworkBounds.wider("AdministratorAccess", ADMIN, "PowerUserAccess", POWER_USER)).isEmpty();
    assertThat(ReworkBounds.wider("AdministratorAccess", ADMIN, "Unscanned", null)).isEmpty();
  }

  @Test
  void administratorAccessNarrowedByAnInlineOrAnotherPolicyIsNotAlone() {
    Inventory.PermissionSet denied = new Inventory.PermissionSet(ADMIN.arn() + "-deny", "AdminButNoS3", null, "PT1H",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
        ADMIN.managedPolicies(), null);
    assertThat(ReworkBounds.wider("AdminButNoS3", denied, "ReadOnlyAccess", READ_ONLY)).isPresent();
    Inventory.PermissionSet two = set("AdminAndMore", ReworkBounds.ADMINISTRATOR_ACCESS,
        "arn:aws:iam::aws:policy/AWSDenyAll");
    assertThat(ReworkBounds.wider("AdminAndMore", two, "ReadOnlyAccess", READ_ONLY)).isPresent();
  }

  @Test
  void theIssuesWideningAndEveryUnprovenNarrowingAreWider() {
    // The issue: AdministratorAccess on an auto-approved ReadOnlyAccess.
    assertThat(ReworkBounds.wider("ReadOnlyAccess", READ_ONLY, "AdministratorAccess", ADMIN)).get().asString()
        .contains("'AdministratorAccess' is not within 'ReadOnlyAccess'");
    // AWS's job-function policies are not nested: ReadOnlyAccess reads IAM, which PowerUserAccess may not.
    assertThat(ReworkBounds.wider("PowerUserAccess", POWER_USER, "ReadOnlyAccess", READ_ONLY)).isPresent();
    assertThat(ReworkBounds.wider("ReadOnlyAccess", READ_ONLY, "ViewOnlyAccess", VIEW_ONLY)).isPresent();
    // Unknown to Airlock: wider.
    assertThat(ReworkBounds.wider("ReadOnlyAccess", READ_ONLY, "Unscanned", null)).isPresent();
    assertThat(ReworkBounds.wider("Unscanned", null, "ReadOnlyAccess", READ_ONLY)).isPresent();
    // A crafted policy has no permission set to compare with.
    assertThat(ReworkBounds.wider("craft:S3_READ_ONLY", null, "ReadOnlyAccess", READ_ONLY)).get().asString()
        .contains("crafted policy");
  }

  @Test
  void aReworkOrExtensionEndsAtTheLatestAtTheMaximumFromTheFirstGrant() {
    Instant first = Instant.parse("2026-12-07T12:00:00Z");
    // A rework of 1 h filed at 19:00, in a chain that began at 12:00 with a maximum of 8 h,
    // approved only at 19:50: it ends at 20:00, not 20:50.
    AccessRequest rework = new AccessRequest();
    rework.setDuration("PT1H");
    rework.setChainStart(first);
    rework.setMaxDurationMinutes(480L);
    assertThat(rework.latestEnd()).isEqualTo(Instant.parse("2026-12-07T20:00:00Z"));
    assertThat(rework.endFrom(Instant.parse("2026-12-07T19:50:00Z"))).isEqualTo(Instant.parse("2026-12-07T20:00:00Z"));
    assertThat(rework.endFrom(Instant.parse("2026-12-07T18:00:00Z"))).isEqualTo(Instant.parse("2026-12-07T19:00:00Z"));
    // An extension asked for the end it names; a second one filed against the same live access
    // cannot pass the maximum either.
    AccessRequest extension = new AccessRequest();
    extension.setDuration("PT2H");
    extension.setChainStart(first);
    extension.setMaxDurationMinutes(480L);
    extension.setExtendsEnd(Instant.parse("2026-12-07T19:30:00Z"));
    extension.setExtendBy(Duration.ofHours(1).toString());
    assertThat(extension.endFrom(Instant.parse("2026-12-07T19:40:00Z"))).isEqualTo(Instant.parse("2026-12-07T20:00:00Z"));
    // A first request counts from its own grant: no chain, no cap here (policy bounded its duration).
    AccessRequest firstRequest = new AccessRequest();
    firstRequest.setDuration("PT8H");
    firstRequest.setMaxDurationMinutes(480L);
    assertThat(firstRequest.latestEnd()).isNull();
    assertThat(firstRequest.endFrom(first)).isEqualTo(Instant.parse("2026-12-07T20:00:00Z"));
  }
}
