package io.airlock.identity;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Profile;
import org.springframework.validation.annotation.Validated;

/**
 * The {@code keycloak} profile's settings ({@code airlock.keycloak.*}, application-keycloak.yaml).
 *
 * @param url Keycloak's base URL, e.g. {@code https://sso.example.com} (no {@code /realms/...})
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
 */
@Profile("keycloak")
@Validated
@ConfigurationProperties(prefix = "airlock.keycloak")
public record KeycloakProperties(
    @NotBlank String url,
    @NotBlank String realm,
    @NotBlank String clientId,
    @NotBlank String clientSecret,
    @NotBlank String identityClientId,
    @NotBlank String identityClientSecret,
    @NotBlank String audience,
    @NotNull UserId userId) {

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

  /** The realm's issuer, as in its tokens. */
  public String issuer() {
    return stripSlash(url) + "/realms/" + realm;
  }

  /** The realm's admin REST API (for the engine's identity plugin). */
  public String adminUrl() {
    return stripSlash(url) + "/admin/realms/" + realm;
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
