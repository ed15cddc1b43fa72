package io.airlock.web;

import io.airlock.identity.CurrentUser;
import io.airlock.membership.MembershipChange;
import io.airlock.membership.MembershipChanges;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Changes to who holds Airlock's groups, reviewed by a second person: the only way to change them
 * with the embedded user store (Camunda Admin and the engine REST API refuse a signed-in person).
 */
@RestController
@RequestMapping("/api/memberships")
@Tag(name = "Group memberships")
class MembershipController {

  private final MembershipChanges changes;

  MembershipController(MembershipChanges changes) {
    this.changes = changes;
  }

  /** What to change and why. */
  record Ask(String user, String group, String change, String reason) {}

  @PostMapping
  @Operation(summary = "Ask for a user to be added to or removed from one of Airlock's groups",
      description = "change ADD or REMOVE, with a reason. Answers 201 PENDING_REVIEW: a member of the security "
          + "group or an administrator, neither you nor the user, approves or denies it in Tasklist (task "
          + "\"Review group membership change\"); only then Airlock changes the membership. Every step is audited "
          + "(membership.*).")
  ResponseEntity<MembershipChange> ask(Authentication auth, @RequestBody Ask ask) {
    MembershipChange filed = changes.request(CurrentUser.of(auth), ask.user(), ask.group(), ask.change(),
        ask.reason());
    return ResponseEntity.created(URI.create("/api/memberships/" + filed.id())).body(filed);
  }

  @GetMapping("/{id}")
  @Operation(summary = "A membership change (its asker, its user, the security group, admins, auditors)")
  MembershipChange get(Authentication auth, @PathVariable String id) {
    return changes.get(CurrentUser.of(auth), id);
  }
}
