package io.airlock.web;

import io.airlock.identity.CurrentUser;
import io.airlock.request.CraftedPermissions;
import io.airlock.request.Teardown;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Admin operations on Airlock's AWS integration. */
@RestController
@RequestMapping("/api/admin")
@Tag(name = "Administration")
class AdminController {

  private final Teardown teardown;
  private final CraftedPermissions crafted;
  private final io.airlock.config.AirlockProperties.Groups groups;

  AdminController(Teardown teardown, CraftedPermissions crafted, io.airlock.config.AirlockProperties properties) {
    this.teardown = teardown;
    this.crafted = crafted;
    this.groups = properties.groups();
  }

  @PostMapping("/teardown")
  @Operation(summary = "Remove everything Airlock created in AWS (admins only)",
      description = "Ends every running request (process cancelled, assignment removed), then empties and deletes "
          + "every crafted permission set. Answers with what was removed; the audit log has it too.")
  Teardown.Report teardown(Authentication auth) {
    return teardown.run(CurrentUser.of(auth));
  }

  @PostMapping("/crafted/cleanup")
  @Operation(summary = "Remove leftover crafted permission sets now (operators and admins)")
  List<CraftedPermissions.Removed> cleanup(Authentication auth) {
    var caller = CurrentUser.of(auth);
    if (!caller.inAnyGroup(List.of(groups.operators(), groups.admins()))) {
      throw new io.airlock.request.ForbiddenActionException("Only members of " + groups.operators() + " or "
          + groups.admins() + " may remove leftover crafted permission sets");
    }
    return crafted.removeLeftovers(caller.userId());
  }
}
