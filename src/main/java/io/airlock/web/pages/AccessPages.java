package io.airlock.web.pages;

import io.airlock.config.AirlockProperties;
import io.airlock.identity.PortalUsers;
import io.airlock.request.AccessRequest;
import io.airlock.request.RequestService;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
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
  private final String portalUrl;
  private final String region;

  AccessPages(RequestService requests, PortalUsers users, PortalProperties portal, AirlockProperties properties) {
    this.requests = requests;
    this.users = users;
    String url = portal.accessPortalUrl();
    String store = properties.aws().identityStoreId();
    this.portalUrl = url != null && !url.isBlank() ? url.replaceAll("/+$", "")
        : store != null && !store.isBlank() ? "https://" + store + ".awsapps.com/start" : null;
    this.region = properties.aws().region();
  }

  /** One held access: the request, the AWS access portal link, the {@code aws} CLI profile. */
  record Held(AccessRequest request, String openUrl, String profile) {}

  @GetMapping("/access")
  String access(Authentication auth, Model model) {
    List<Held> held = requests.access(users.caller(auth)).stream().map(this::held).toList();
    model.addAttribute("held", held);
    model.addAttribute("portalUrl", portalUrl);
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
    if (portalUrl == null || r.getPermission() == null || r.isCrafted() && r.getPermission().startsWith("craft:")) {
      return new Held(r, null, null);
    }
    String open = portalUrl + "/#/console?account_id=" + r.getTarget() + "&role_name="
        + URLEncoder.encode(r.getPermission(), StandardCharsets.UTF_8);
    String name = (r.getPermission() + "-" + r.getTarget()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    String profile = "[profile " + name + "]\n"
        + "sso_session = airlock\n"
        + "sso_account_id = " + r.getTarget() + "\n"
        + "sso_role_name = " + r.getPermission() + "\n"
        + "region = " + region + "\n\n"
        + "[sso-session airlock]\n"
        + "sso_start_url = " + portalUrl + "\n"
        + "sso_region = " + region + "\n"
        + "sso_registration_scopes = sso:account:access\n\n"
        + "# then: aws sso login --profile " + name + " && aws sts get-caller-identity --profile " + name;
    return new Held(r, open, profile);
  }
}
