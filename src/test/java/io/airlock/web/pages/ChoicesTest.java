package io.airlock.web.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.policy.PolicyCatalog;
import io.airlock.request.SubmitRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the new-request form offers and what it files, without a server. */
class ChoicesTest {

  static final PolicyCatalog.Catalog CATALOG = new PolicyCatalog.Catalog("alice", "alice", "d", 1, List.of(
      new PolicyCatalog.Target("333333333333", "staging", "Workloads/NonProd", Map.of("environment", "staging"), List.of(
          new PolicyCatalog.Permission("PowerUserAccess", "EXISTING", "Power user outside production", "PT4H", 240,
              List.of("airlock-approvers"), 1, false, false),
          new PolicyCatalog.Permission("craft:S3_READ_ONLY", "CRAFTED", "Crafted", "PT1H", 60,
              List.of("airlock-approvers"), 1, false, false))),
      new PolicyCatalog.Target("444444444444", "production", "Workloads/Prod", Map.of("environment", "production"),
          List.of(new PolicyCatalog.Permission("AdministratorAccess", "EXISTING", "Production administrator", "PT2H",
              120, List.of("airlock-approvers"), 2, true, false)))));

  @Test
  void accountsReadByNameWithTheirOuAndProductionIsMarked() {
    Choices c = Choices.of(CATALOG, "444444444444", "AdministratorAccess");
    assertThat(c.accounts()).extracting(Choices.Account::label).containsExactly(
        "staging (333333333333) · Workloads/NonProd", "production (444444444444) · Workloads/Prod · PRODUCTION");
    assertThat(c.account().production()).isTrue();
    assertThat(c.permission().label()).isEqualTo("AdministratorAccess · up to 2 h · 2 approvals from airlock-approvers");
    assertThat(c.permission().breakGlassAllowed()).isTrue();
  }

  @Test
  void durationsStopAtThePermissionsLongestAndOfferIt() {
    Choices c = Choices.of(CATALOG, "333333333333", "PowerUserAccess");
    assertThat(c.durations()).extracting(Choices.Option::label)
        .containsExactly("15 min", "30 min", "1 h", "2 h", "4 h (the longest)");
    assertThat(c.durations()).extracting(Choices.Option::value).endsWith("PT4H");
  }

  @Test
  void aPermissionOfAnotherAccountIsNoChoiceHere() {
    Choices c = Choices.of(CATALOG, "333333333333", "AdministratorAccess");
    assertThat(c.permission()).isNull();
    assertThat(c.durations()).isEmpty();
  }

  @Test
  void aCraftedPermissionReadsInWordsAndFilesItsTemplateWithTheNamedBuckets() {
    Choices c = Choices.of(CATALOG, "333333333333", "craft:S3_READ_ONLY");
    assertThat(c.permission().label()).startsWith("Read-only on S3 buckets you name (crafted for this request) · up to 1 h");
    assertThat(c.permission().craft()).isEqualTo("S3_READ_ONLY");
    RequestForm form = new RequestForm();
    form.setTarget("333333333333");
    form.setPermission("craft:S3_READ_ONLY");
    form.setDuration("PT1H");
    form.setBuckets("invoices, reports\nlogs");
    SubmitRequest in = form.toSubmit();
    assertThat(in.permission()).isNull();
    assertThat(in.craft().template()).isEqualTo("S3_READ_ONLY");
    assertThat(in.craft().buckets()).containsExactly("invoices", "reports", "logs");
  }

  @Test
  void aLaterStartIsTheReadersLocalTimeInUtc() {
    RequestForm form = new RequestForm();
    form.setWhen("later");
    form.setStartAtLocal("2026-12-24T09:00");
    form.setZoneOffset(60); // UTC+1
    assertThat(form.toSubmit().startAt()).isEqualTo("2026-12-24T08:00:00Z");
    form.setWhen("now");
    assertThat(form.toSubmit().startAt()).isNull();
    form.setWhen("later");
    form.setStartAtLocal("");
    org.assertj.core.api.Assertions.assertThatThrownBy(form::toSubmit)
        .isInstanceOf(io.airlock.request.InvalidRequestException.class).hasMessageContaining("startAt");
  }
}
