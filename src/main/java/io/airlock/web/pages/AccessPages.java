package io.airlock.web.pages;

import io.airlock.identity.PortalUsers;
import io.airlock.request.AccessRequest;
import io.airlock.request.RequestService;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * "My access" (what the person holds now, with a way into AWS) and "Waiting for me" (reviews an
 * approver may give, each a link to its Tasklist task: reviews stay in Tasklist).
 */
@Controller
class AccessPages {

  private final RequestService requests;
  private final PortalUsers users;
  private final AccessLinks links;

  AccessPages(RequestService requests, PortalUsers users, AccessLinks links) {
    this.requests = requests;
    this.users = users;
    this.links = links;
  }

  /** One held access: the request, the AWS access portal link, the {@code aws} CLI profile. */
  record Held(AccessRequest request, String openUrl, String profile) {}

  @GetMapping("/access")
  String access(Authentication auth, Model model) {
    List<Held> held = requests.access(users.caller(auth)).stream().map(this::held).toList();
    model.addAttribute("held", held);
    model.addAttribute("portalUrl", links.portalUrl());
    return "access/list";
  }

  @GetMapping("/reviews")
  String reviews(Authentication auth, Model model) {
    model.addAttribute("waiting", requests.waitingFor(users.caller(auth)).stream()
        .map(r -> new Waiting(r, requests.reviewTask(r.getId()).orElse(null))).toList());
    return "reviews/list";
  }

  record Waiting(AccessRequest request, String taskId) {}

  private Held held(AccessRequest r) {
    AccessLinks.Links l = links.of(r);
    return new Held(r, l.openUrl(), l.profile());
  }
}
