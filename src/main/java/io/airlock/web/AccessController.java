package io.airlock.web;

import io.airlock.identity.CurrentUser;
import io.airlock.web.pages.AccessLinks;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** "My access" over REST: what the caller holds (or holds later), with the way into AWS (the CLI reads it). */
@RestController
@Tag(name = "Access requests")
class AccessController {

  private final io.airlock.request.RequestService requests;
  private final AccessLinks links;

  AccessController(io.airlock.request.RequestService requests, AccessLinks links) {
    this.requests = requests;
    this.links = links;
  }

  /** A held access: the request, and the AWS access portal's link and {@code aws} CLI profile for it. */
  record HeldView(RequestView request, AccessLinks.Links links) {}

  @GetMapping("/api/access")
  @Operation(summary = "The access you hold now or that starts later, the one ending first on top, each with the "
      + "AWS access portal's link (openUrl) and the aws CLI profile for it, as the page My access shows them")
  List<HeldView> access(Authentication auth) {
    return requests.access(CurrentUser.of(auth)).stream()
        .map(r -> new HeldView(RequestView.of(r), links.of(r))).toList();
  }
}
