package io.airlock.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryService;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an approver reads in the review form: words, never ISO durations or bare ids. */
class ReviewViewTest {

  private static final Instant NOW = Instant.parse("2026-12-01T14:00:00Z");
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final String PROD = "444444444444";

  private final AccessRequestMapper requests = mock(AccessRequestMapper.class);
  private final InventoryService inventory = mock(InventoryService.class);
  private final ReviewView view = new ReviewView(requests, inventory, new RequestLabels(inventory));

  @BeforeEach
  void production() {
    when(inventory.findAccount(PROD)).thenReturn(Optional.of(new Inventory.Account(PROD, "production", "p@example.com",
        "ACTIVE", "Workloads/Prod", Map.of("environment", "production"))));
    when(requests.findAll(eq("alice"), anyInt())).thenReturn(List.of());
  }

  @Test
  void aRequestReadsAsWhatIsAskedWithTheAccountByNameAndADurationInWords() {
    AccessRequest r = request("r-1", "PT1H30M");

    Map<String, Object> shown = view.of(r, false, NOW, UTC);

    assertThat(shown).containsEntry(ReviewView.ASK, "Grant PowerUserAccess on production (444444444444) to alice for 1 h 30 min.")
        .containsEntry(ReviewView.ACCOUNT, "production (444444444444) · Workloads/Prod")
        .containsEntry(ReviewView.PRODUCTION, true)
        .containsEntry(ReviewView.DURATION, "1 h 30 min")
        .containsEntry(ReviewView.CRAFTED, false)
        .containsEntry(ReviewView.HISTORY, "Current access: none\nRecent requests: none");
  }

  @Test
  void anExtensionSaysItExtendsLiveAccessFromItsEndToTheNewOne() {
    AccessRequest live = request("r-live", "PT1H");
    live.setStatus(RequestStatus.ACTIVE);
    live.setGrantEnd(Instant.parse("2026-12-01T14:30:00Z"));
    AccessRequest extension = request("r-more", "PT1H12M");
    extension.setSupersedes("r-live");
    extension.setCreatedAt(NOW);
    when(requests.findById("r-live")).thenReturn(Optional.of(live));
    when(requests.findAll(eq("alice"), anyInt())).thenReturn(List.of(extension, live));

    Map<String, Object> shown = view.of(extension, false, NOW, UTC);

    assertThat((String) shown.get(ReviewView.ASK))
        .startsWith("Extend live access from 14:30 UTC to 15:12 UTC (+42 min): alice holds PowerUserAccess")
        .doesNotContain("PT");
    assertThat((String) shown.get(ReviewView.HISTORY))
        .contains("Current access: \n· PowerUserAccess on production (444444444444) for alice, ends 14:30 UTC")
        .contains("Recent requests: \n· 13:00 UTC: PowerUserAccess on production (444444444444), 1 h · Active");
  }

  @Test
  void aBreakGlassReviewIsAboutAccessAlreadyInUse() {
    AccessRequest r = request("r-bg", "PT1H");
    r.setBreakGlass(true);
    r.setGrantStart(Instant.parse("2026-12-01T13:50:00Z"));
    r.setGrantEnd(Instant.parse("2026-12-01T14:50:00Z"));

    assertThat((String) view.of(r, true, NOW, UTC).get(ReviewView.ASK)).startsWith(
        "Keep or revoke access already in use: alice holds PowerUserAccess on production (444444444444) (break-glass) "
            + "since 13:50 UTC, until 14:50 UTC.");
  }

  @Test
  void theCraftedPolicyIsShownOnlyForACraftedRequest() {
    AccessRequest crafted = request("r-craft", "PT1H");
    crafted.setCraftTemplate("s3-read");
    crafted.setCraftPolicy("{\"Version\":\"2012-10-17\"}");

    assertThat(view.of(crafted, false, NOW, UTC)).containsEntry(ReviewView.CRAFTED, true);
  }

  private static AccessRequest request(String id, String duration) {
    AccessRequest r = new AccessRequest();
    r.setId(id);
    r.setRequester("alice");
    r.setPrincipal("alice");
    r.setPermission("PowerUserAccess");
    r.setTarget(PROD);
    r.setDuration(duration);
    r.setStatus(RequestStatus.PENDING_REVIEW);
    r.setCreatedAt(Instant.parse("2026-12-01T13:00:00Z"));
    return r;
  }
}
