package io.airlock.identity;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Profile;
import org.springframework.validation.annotation.Validated;

/**
 * The {@code keycloak} profile's settings ({@code airlock.keycloak.*}, application-keycloak.yaml).
 *
 * @param url Keycloak's public base URL, e.g. {@code https://sso.example.com} (no {@code /realms/...}):
 *     where browsers are sent (sign-in, sign-out), and the tokens' issuer (Keycloak's {@code hostname})
 * @param internalUrl where this node itself reaches Keycloak, e.g. {@code http://keycloak:8080} on the
 *     nodes' network: tokens, keys, userinfo, the identity plugin's admin API, sign-out's back channel,
 *     the health check. Empty: {@code url}. Keycloak must then run with {@code hostname} set to
 *     {@code url} and {@code hostname-backchannel-dynamic=true}, so its tokens name the public issuer
 * @param realm the realm (keycloak-realm/airlock-realm.json: {@code airlock})
 * @param clientId the confidential client of the browser sign-in ({@code airlock-webapp})
 * @param clientSecret its secret
 * @param identityClientId the service-account client the engine reads users and groups with
 *     ({@code airlock-identity}, realm-management view-users, query-users, query-groups)
 * @param identityClientSecret its secret
 * @param audience what a bearer token's {@code aud} must contain to be accepted on /api and /engine-rest
 * @param userId what a person's Camunda user id (and so Airlock's user name, and through
 *     {@code airlock.principals.name-template} their IAM Identity Center user name) is: their
 *     Keycloak user name or their email
 * @param clockSkew how far a token's {@code exp}, {@code nbf} and {@code iat} may be off Airlock's
 *     clock, for bearer tokens and for the ID token of the browser sign-in alike (at most 10 s;
 *     Spring Security's default is 60 s)
 * @param stepUp what an approval needs: a second factor this recent
 */
@Profile("keycloak")
@Validated
@ConfigurationProperties(prefix = "airlock.keycloak")
public record KeycloakProperties(
    @NotBlank String url,
    String internalUrl,
    @NotBlank String realm,
    @NotBlank String clientId,
    @NotBlank String clientSecret,
    @NotBlank String identityClientId,
    @NotBlank String identityClientSecret,
    @NotBlank String audience,
    @NotNull UserId userId,
    @NotNull Duration clockSkew,
    @NotNull @Valid StepUp stepUp) {

  /** The most clock skew Airlock allows itself to be configured with. */
  static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(10);

  public KeycloakProperties {
    internalUrl = internalUrl == null || internalUrl.isBlank() ? url : internalUrl.trim();
    clockSkew = clockSkew == null ? MAX_CLOCK_SKEW : clockSkew;
    stepUp = stepUp == null ? new StepUp(null, null, null) : stepUp;
  }

  @AssertTrue(message = "airlock.keycloak.url must be Keycloak's public http(s) base URL, e.g. https://sso.example.com"
      + " (no /realms/..., no query)")
  boolean isUrlABaseUrl() {
    return isBaseUrl(url);
  }

  @AssertTrue(message = "airlock.keycloak.internal-url must be the http(s) base URL at which this node reaches Keycloak,"
      + " e.g. http://keycloak:8080 (no /realms/..., no query), or empty to use airlock.keycloak.url")
  boolean isInternalUrlABaseUrl() {
    return isBaseUrl(internalUrl);
  }

  @AssertTrue(message = "airlock.keycloak.clock-skew must be between 0 and 10 seconds")
  boolean isClockSkewAtMostTenSeconds() {
    return !clockSkew.isNegative() && clockSkew.compareTo(MAX_CLOCK_SKEW) <= 0;
  }

  /**
   * Step-up for approvals ({@code airlock.keycloak.step-up.*}): an approval (a review's APPROVE,
   * keeping break-glass access, a policy approval) needs a session or token whose person signed in
   * with a second factor at most {@code maxAge} ago: {@code auth_time} within {@code maxAge}, and
   * either an {@code amr} of {@code amrValues} or an {@code acr} of {@code acrValues}.
   *
   * @param maxAge how old the sign-in with the second factor may be ({@code PT15M})
   * @param amrValues authentication methods that are a second factor (the realm's authenticator
   *     references: {@code otp} for TOTP, {@code hwk} for WebAuthn security keys and passkeys)
   * @param acrValues authentication context classes that are (a realm's LoA mapping, e.g. {@code gold});
   *     empty: only {@code amr} counts. Also sent as {@code acr_values} when a person is sent to step up
   */
  public record StepUp(@NotNull Duration maxAge, @NotNull List<String> amrValues, @NotNull List<String> acrValues) {

    public StepUp {
      maxAge = maxAge == null ? Duration.ofMinutes(15) : maxAge;
      amrValues = amrValues == null ? List.of("otp", "hwk") : nonBlank(amrValues);
      acrValues = acrValues == null ? List.of() : nonBlank(acrValues);
    }

    private static List<String> nonBlank(List<String> values) {
      return values.stream().filter(v -> v != null && !v.isBlank()).map(String::trim).toList();
    }

    @AssertTrue(message = "airlock.keycloak.step-up.max-age must be positive, and amr-values or acr-values name a second factor")
    boolean isUsable() {
      return !maxAge.isNegative() && !maxAge.isZero() && !(amrValues.isEmpty() && acrValues.isEmpty());
    }
  }

  /** Which Keycloak attribute is the user id everywhere in Airlock. */
  public enum UserId {
    USERNAME("preferred_username"),
    EMAIL("email");

    private final String claim;

    UserId(String claim) {
      this.claim = claim;
    }

    /** The token claim that carries it. */
    public String claim() {
      return claim;
    }
  }

  /** The realm's issuer, as in its tokens: at the public URL. */
  public String issuer() {
    return stripSlash(url) + "/realms/" + realm;
  }

  /** The realm at the internal URL, where this node asks for tokens, keys and userinfo. */
  public String internalRealmUrl() {
    return stripSlash(internalUrl) + "/realms/" + realm;
  }

  /** The realm's admin REST API at the internal URL (for the engine's identity plugin). */
  public String adminUrl() {
    return stripSlash(internalUrl) + "/admin/realms/" + realm;
  }

  private static boolean isBaseUrl(String value) {
    if (value == null || value.isBlank()) {
      return true; // @NotBlank speaks for url; an empty internal-url is url
    }
    try {
      java.net.URI uri = new java.net.URI(value.trim());
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
          && uri.getQuery() == null && uri.getFragment() == null && !uri.getPath().contains("/realms/");
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
