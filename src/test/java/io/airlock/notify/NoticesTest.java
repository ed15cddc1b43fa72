package io.airlock.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.audit.AuditChainBroken;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryService;
import io.airlock.request.AccessRequest;
import io.airlock.request.RequestLabels;
import org.mockito.Mockito;
import io.airlock.request.RequestEvent;
import io.airlock.request.RequestStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoticesTest {

  private final InventoryService inventory = Mockito.mock(InventoryService.class);
  private final Notices notices = new Notices(new NotifyProperties("https://airlock.example", "security", 3,
      Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofMinutes(1), new NotifyProperties.Mail(true, "airlock@example"), new NotifyProperties.Webhook(null), NotifyProperties.Slack.OFF),
      new RequestLabels(inventory), "airlock-policy-authors");

  @org.junit.jupiter.api.BeforeEach
  void inventory() {
    Mockito.when(inventory.findAccount("333333333333")).thenReturn(java.util.Optional.of(
        new Inventory.Account("333333333333", "staging", "aws+staging@example.com", "ACTIVE")));
  }

  @Test
  void thePolicyAuthorsHearOnceTheOrganizationIsReadThatAStarterPolicyWaits() {
    Notice n = notices.of(new io.airlock.inventory.FirstScan(Instant.parse("2026-12-07T09:30:00Z"), 240, 35));
    assertThat(n.kind()).isEqualTo("policy.starter-ready");
    assertThat(n.groups()).containsExactly("airlock-policy-authors");
    assertThat(n.subject()).isEqualTo("A starter policy for your AWS organization is ready");
    assertThat(n.text()).contains("240 accounts and 35 permission sets").contains("What to do now:")
        .contains("Nothing of it is in force until a policy approver other than its author approves it");
    assertThat(n.link()).isEqualTo("https://airlock.example/policy");
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    assertThat(RequestLabels.human(Duration.ofMinutes(30))).isEqualTo("30 min");
    assertThat(RequestLabels.human(Duration.ofMinutes(90))).isEqualTo("1 h 30 min");
    assertThat(RequestLabels.human(Duration.ofHours(2))).isEqualTo("2 h");
    assertThat(RequestLabels.human(Duration.ofHours(28))).isEqualTo("1 d 4 h");
    assertThat(RequestLabels.human(Duration.ofSeconds(45))).isEqualTo("45 s");
  }

  @Test
  void aWaitingReviewGoesToTheApproverGroupsAndStepsNobodyActsOnToNobody() {
    AccessRequest r = request(RequestStatus.PENDING_REVIEW);
    List<Notice> waiting = notices.of(new RequestEvent(r, RequestEvent.Kind.STATUS_CHANGED, RequestStatus.SUBMITTED,
        r.approverGroupList()));
    assertThat(waiting).singleElement().satisfies(n -> {
      assertThat(n.subject()).isEqualTo("Review waiting: alice · PowerUserAccess · staging (333333333333) · 30 min");
      assertThat(n.groups()).containsExactly("approvers", "leads");
      assertThat(n.users()).isEmpty();
      assertThat(n.link()).isEqualTo("https://airlock.example/camunda/app/tasklist/");
    });
    for (RequestStatus quiet : List.of(RequestStatus.SUBMITTED, RequestStatus.GRANTING, RequestStatus.REVOKING,
        RequestStatus.CANCELLED, RequestStatus.SUPERSEDED)) {
      assertThat(notices.of(new RequestEvent(request(quiet), RequestEvent.Kind.STATUS_CHANGED, null, List.of())))
          .as(quiet.name()).isEmpty();
    }
  }

  @Test
  void breakGlassAlsoAlertsTheSecurityGroupAndTheGrantTellsRequesterAndPrincipalOnce() {
    AccessRequest r = request(RequestStatus.ACTIVE);
    r.setPrincipal("bob");
    r.setBreakGlass(true);
    r.setGrantEnd(Instant.parse("2026-12-01T12:30:00Z"));
    List<Notice> granted = notices.of(new RequestEvent(r, RequestEvent.Kind.STATUS_CHANGED, RequestStatus.GRANTING,
        List.of()));
    assertThat(granted).extracting(Notice::kind).containsExactly("access.granted", "breakglass.granted");
    assertThat(granted.get(0).users()).containsExactly("alice", "bob");
    assertThat(granted.get(0).subject()).startsWith("Access granted until 2026-12-01 12:30 UTC: bob");
    assertThat(granted.get(1).groups()).containsExactly("security");
  }

  private static AccessRequest request(RequestStatus status) {
    AccessRequest r = new AccessRequest();
    r.setId("REQ-1");
    r.setStatus(status);
    r.setRequester("alice");
    r.setPrincipal("alice");
    r.setTarget("333333333333");
    r.setPermission("PowerUserAccess");
    r.setDuration("PT30M");
    r.setJustification("Patch the fleet");
    r.setApproverGroups("approvers,leads");
    return r;
  }

  @Test
  void aMembershipChangeGoesToItsReviewersWhileItWaitsThenToTheAskerTheUserAndTheSecurityGroup() {
    io.airlock.membership.MembershipChange waiting = new io.airlock.membership.MembershipChange("c-1", "admin",
        "airlock-policy-authors", "ADD", "Fix the auto-approval table", "admin", Instant.parse("2025-03-01T10:15:00Z"),
        "PENDING_REVIEW", null, null, null, null, "pi-1");
    List<String> reviewers = List.of("airlock-security", "camunda-admin");
    Notice review = notices.of(new io.airlock.membership.MembershipChangeEvent(waiting, reviewers)).get(0);
    assertThat(review.kind()).isEqualTo("membership.waiting");
    assertThat(review.subject()).isEqualTo("Review waiting: add admin to airlock-policy-authors");
    assertThat(review.groups()).containsExactly("airlock-security", "camunda-admin");
    assertThat(review.users()).isEmpty();
    assertThat(review.body()).contains("Asked by: admin at 2025-03-01 10:15 UTC", "Why: Fix the auto-approval table",
        "Review group membership change", "https://airlock.example/camunda/app/tasklist/");

    io.airlock.membership.MembershipChange changed = new io.airlock.membership.MembershipChange("c-1", "admin",
        "airlock-policy-authors", "ADD", "Fix the auto-approval table", "admin", Instant.parse("2025-03-01T10:15:00Z"),
        "CHANGED", "dave", Instant.parse("2025-03-01T10:20:00Z"), "agreed", Instant.parse("2025-03-01T10:20:01Z"),
        "pi-1");
    Notice done = notices.of(new io.airlock.membership.MembershipChangeEvent(changed, reviewers)).get(0);
    assertThat(done.kind()).isEqualTo("membership.changed");
    assertThat(done.users()).containsExactly("admin");
    assertThat(done.groups()).containsExactly("security");
    assertThat(done.body()).contains("Approved by dave (\"agreed\")", "https://airlock.example/api/memberships/c-1");

    io.airlock.membership.MembershipChange denied = new io.airlock.membership.MembershipChange("c-2", "bob",
        "airlock-auditors", "ADD", "curious", "dave", Instant.parse("2025-03-01T10:15:00Z"), "DENIED", "admin",
        Instant.parse("2025-03-01T10:20:00Z"), null, null, "pi-2");
    Notice no = notices.of(new io.airlock.membership.MembershipChangeEvent(denied, reviewers)).get(0);
    assertThat(no.kind()).isEqualTo("membership.denied");
    assertThat(no.users()).containsExactly("dave", "bob");
    assertThat(no.groups()).isEmpty();
    assertThat(no.body()).contains("Denied by admin.");
  }

  @Test
  void aBrokenAuditLogAlertsTheSecurityGroupSayingWhichEntryWhatIsWrongAndWhatToDo() throws Exception {
    AuditChainBroken broken = new AuditChainBroken(58, "entry 58 was changed after it was written",
        Instant.parse("2025-03-01T10:15:00Z"));
    List<Notice> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    Channel chat = new Channel() {
      public String name() {
        return "chat";
      }

      public boolean enabled() {
        return true;
      }

      public void send(Notice notice) {
        sent.add(notice);
      }
    };
    Notifications notifications = new Notifications(notices, List.of(chat), null,
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), null, new NotifyProperties(
            "https://airlock.example", "security", 1, Duration.ofMillis(1), Duration.ofMinutes(15), Duration.ofMinutes(1),
            new NotifyProperties.Mail(false, "airlock@example"), new NotifyProperties.Webhook(null), NotifyProperties.Slack.OFF));
    try {
      notifications.on(broken);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !sent.isEmpty());
    } finally {
      notifications.destroy();
    }

    assertThat(sent).singleElement().satisfies(n -> {
      assertThat(n.kind()).isEqualTo("audit.chain-broken");
      assertThat(n.groups()).containsExactly("security");
      assertThat(n.users()).isEmpty();
      assertThat(n.subject()).isEqualTo("Audit log tampered with: entry 58");
      assertThat(n.body()).contains("does not verify from entry 58 on: entry 58 was changed after it was written.",
          "Found at 2025-03-01 10:15 UTC", "What to do now: treat it as a security incident",
          "https://airlock.example/api/audit/verify");
    });
  }
}
