package io.airlock.web.pages;

import io.airlock.config.AirlockProperties;
import io.airlock.request.AccessRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * The way into AWS for held access, as "My access" and the REST API ({@code GET /api/access}, which
 * the CLI reads) give it: the AWS access portal's link for the account and permission set, and the
 * {@code aws} CLI profile for it. None for crafted permissions or when no portal is known.
 */
@Component
public class AccessLinks {

  private final String portalUrl;
  private final String region;

  AccessLinks(PortalProperties portal, AirlockProperties properties) {
    String url = portal.accessPortalUrl();
    String store = properties.aws().identityStoreId();
    this.portalUrl = url != null && !url.isBlank() ? url.replaceAll("/+$", "")
        : store != null && !store.isBlank() ? "https://" + store + ".awsapps.com/start" : null;
    this.region = properties.aws().region();
  }

  /**
   * One held access's way in: {@code openUrl} (the portal's link), {@code profileName} and
   * {@code profile} (the {@code aws} CLI's config text), {@code ssoStartUrl} and {@code ssoRegion};
   * all null when there is none.
   */
  public record Links(String openUrl, String profileName, String profile, String ssoStartUrl, String ssoRegion) {

    static final Links NONE = new Links(null, null, null, null, null);
  }

  public String portalUrl() {
    return portalUrl;
  }

  public Links of(AccessRequest r) {
    if (portalUrl == null || r.getPermission() == null || r.isCrafted() && r.getPermission().startsWith("craft:")) {
      return Links.NONE;
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
    return new Links(open, name, profile, portalUrl, region);
  }
}
