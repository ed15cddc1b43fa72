package io.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.airlock.config.AirlockProperties;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryService;
import io.airlock.request.Caller;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When the catalog is empty it says why, in words: nothing read yet, not a requester, or scopes
 * that do not fit this organization's OUs and tags (named, so the gap shows to whoever runs it).
 */
class CatalogEmptyTest {

  final InventoryService inventory = mock(InventoryService.class);
  final AirlockProperties properties = mock(AirlockProperties.class, org.mockito.Answers.RETURNS_DEEP_STUBS);
  PolicyCatalog catalog;

  CatalogEmptyTest() {
    AirlockProperties.Groups groups = new AirlockProperties.Groups("airlock-requesters", "airlock-approvers",
        "airlock-auditors", "airlock-operators", "camunda-admin", "airlock-policy-authors",
        "airlock-policy-approvers", "airlock-security");
    when(properties.groups()).thenReturn(groups);
    when(properties.policy().compiledTicketPattern()).thenReturn(java.util.regex.Pattern.compile("INC-\\d+"));
    when(properties.policy().timeZone()).thenReturn(java.time.ZoneId.of("UTC"));
    when(properties.request().minDuration()).thenReturn(java.time.Duration.ofMinutes(15));
    when(properties.request().maxDuration()).thenReturn(java.time.Duration.ofHours(12));
    catalog = new PolicyCatalog(mock(DecisionTables.class), inventory, mock(io.airlock.request.PrincipalMapping.class),
        java.time.Clock.systemUTC(), properties);
  }

  @Test
  void beforeTheFirstScanItSaysNothingHasBeenRead() {
    when(inventory.accounts()).thenReturn(List.of());
    assertThat(catalog.whyEmpty(new Caller("alice", List.of("airlock-requesters")), 3))
        .startsWith("Airlock has not read your AWS organization yet").contains("POST /api/inventory/scan");
  }

  @Test
  void aPersonOutsideTheRequestersIsToldWhichGroupAsks() {
    when(inventory.accounts()).thenReturn(List.of(new Inventory.Account("111111111111", "a", "a@x", "ACTIVE")));
    assertThat(catalog.whyEmpty(new Caller("carol", List.of("airlock-auditors")), 3))
        .startsWith("You are not in airlock-requesters");
  }

  @Test
  void scopesThatDoNotFitTheOrganizationNameItsOusAndTags() {
    when(inventory.accounts()).thenReturn(List.of(
        new Inventory.Account("111111111111", "web", "w@x", "ACTIVE", "Teams/Web", Map.of("environment", "prd")),
        new Inventory.Account("222222222222", "data", "d@x", "ACTIVE", "Teams/Data", Map.of("environment", "dev"))));
    assertThat(catalog.whyEmpty(new Caller("alice", List.of("airlock-requesters")), 3))
        .isEqualTo("The access-scopes table (version 3) gives your groups (airlock-requesters) nothing in any of the "
            + "2 accounts Airlock knows. Its scopes match accounts by OU and by the tag environment; your "
            + "organization's accounts are under Teams/Data, Teams/Web with environment tags dev, prd. Ask a policy "
            + "author (airlock-policy-authors) to propose scopes that fit them: the Policy page has a starter policy "
            + "Airlock drafted from them.");
  }
}
