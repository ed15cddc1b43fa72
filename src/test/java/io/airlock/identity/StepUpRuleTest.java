package io.airlock.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.request.SecondFactor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The step-up rule for approvals: a second factor named by {@code amr} (or {@code acr}, when
 * configured) and an {@code auth_time} within the window (15 min by default), read from a bearer
 * token or from the browser session's ID token.
 */
class StepUpRuleTest {

  private static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");
  private static final KeycloakProperties.StepUp DEFAULTS = new KeycloakProperties.StepUp(null, null, null);
  private final StepUpRule rule = new StepUpRule(DEFAULTS, Duration.ofSeconds(10));

  @AfterEach
  void clear() {
    SecurityContextHolder.clearContext();
  }

  @Test
  void defaultsAreFifteenMinutesAndTotpOrASecurityKey() {
    assertThat(DEFAULTS.maxAge()).isEqualTo(Duration.ofMinutes(15));
    assertThat(DEFAULTS.amrValues()).containsExactly("otp", "hwk");
    assertThat(DEFAULTS.acrValues()).isEmpty();
  }

  @Test
  void aSecondFactorWithinTheWindowMayApprove() {
    assertThat(rule.missing(signIn(NOW.minusSeconds(60), List.of("pwd", "otp"), "1"), NOW)).isEmpty();
    assertThat(rule.missing(signIn(NOW.minus(Duration.ofMinutes(15)), List.of("pwd", "hwk"), "1"), NOW))
        .as("a security key, at the edge of the window").isEmpty();
  }

  @Test
  void aPasswordAloneOrAnSsoReuseMayNot() {
    assertThat(rule.missing(signIn(NOW.minusSeconds(60), List.of("pwd"), "1"), NOW))
        .hasValueSatisfying(r -> assertThat(r).contains("without a second factor", "[pwd]"));
    assertThat(rule.missing(signIn(NOW.minusSeconds(60), List.of(), "0"), NOW))
        .hasValueSatisfying(r -> assertThat(r).contains("without a second factor", "acr 0"));
    assertThat(rule.missing(signIn(NOW.minusSeconds(60), null, null), NOW)).isPresent();
  }

  @Test
  void aSecondFactorOlderThanTheWindowMayNot() {
    assertThat(rule.missing(signIn(NOW.minus(Duration.ofMinutes(15)).minusSeconds(1), List.of("otp"), "1"), NOW))
        .hasValueSatisfying(r -> assertThat(r).isEqualTo("you signed in 15 min ago"));
    assertThat(rule.missing(signIn(NOW.minus(Duration.ofHours(2)), List.of("otp"), "1"), NOW))
        .hasValueSatisfying(r -> assertThat(r).isEqualTo("you signed in 2 h ago"));
  }

  @Test
  void noAuthTimeOrOneAheadOfTheClockBeyondTheSkewIsNotBelieved() {
    assertThat(rule.missing(signIn(null, List.of("otp"), "1"), NOW))
        .hasValueSatisfying(r -> assertThat(r).contains("no auth_time"));
    assertThat(rule.missing(signIn(NOW.plusSeconds(10), List.of("otp"), "1"), NOW)).as("within the skew").isEmpty();
    assertThat(rule.missing(signIn(NOW.plusSeconds(11), List.of("otp"), "1"), NOW))
        .hasValueSatisfying(r -> assertThat(r).contains("ahead of Airlock's clock"));
    assertThat(rule.missing(null, NOW)).isPresent();
  }

  @Test
  void anAcrOfTheConfiguredValuesCountsAsASecondFactorWhenConfigured() {
    StepUpRule loa = new StepUpRule(new KeycloakProperties.StepUp(Duration.ofMinutes(5), List.of(), List.of("gold", " ")),
        Duration.ofSeconds(10));
    assertThat(loa.missing(signIn(NOW.minusSeconds(60), List.of("pwd"), "gold"), NOW)).isEmpty();
    assertThat(loa.missing(signIn(NOW.minusSeconds(60), List.of("otp"), "silver"), NOW))
        .as("amr values not configured: only acr counts").isPresent();
    assertThat(loa.missing(signIn(NOW.minus(Duration.ofMinutes(6)), List.of(), "gold"), NOW)).isPresent();
  }

  @Test
  void theClaimsComeFromTheBearerTokenOrTheSessionsIdToken() {
    Instant authTime = NOW.minusSeconds(30);
    Jwt jwt = Jwt.withTokenValue("t").header("alg", "RS256").subject("bob").claim("auth_time", authTime.getEpochSecond())
        .claim("amr", List.of("pwd", "otp")).claim("acr", "1").issuedAt(authTime).expiresAt(NOW.plusSeconds(300)).build();
    StepUpRule.SignIn bearer = KeycloakSecondFactor.signIn(new JwtAuthenticationToken(jwt, List.of(), "bob"));
    assertThat(bearer).isEqualTo(signIn(authTime, List.of("pwd", "otp"), "1"));

    OidcIdToken idToken = new OidcIdToken("id", authTime, NOW.plusSeconds(300), Map.of("sub", "bob",
        "preferred_username", "bob", "auth_time", authTime, "amr", List.of("pwd"), "acr", "0"));
    OAuth2AuthenticationToken session = new OAuth2AuthenticationToken(
        new DefaultOidcUser(List.of(), idToken, "preferred_username"), List.of(), "keycloak");
    assertThat(KeycloakSecondFactor.signIn(session)).isEqualTo(signIn(authTime, List.of("pwd"), "0"));
  }

  @Test
  void theSecondFactorOfTheCurrentAuthenticationSaysWhatIsMissingAndHowToRenewIt() {
    KeycloakProperties keycloak = new KeycloakProperties("http://kc", null, "airlock", "airlock-webapp", "s", "airlock-identity",
        "s", "airlock", KeycloakProperties.UserId.USERNAME, null, null);
    KeycloakSecondFactor factor = new KeycloakSecondFactor(keycloak, Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(keycloak.clockSkew()).isEqualTo(Duration.ofSeconds(10));

    Jwt old = Jwt.withTokenValue("t").header("alg", "RS256").subject("bob")
        .claim("auth_time", NOW.minus(Duration.ofMinutes(20)).getEpochSecond()).claim("amr", List.of("pwd", "otp"))
        .issuedAt(NOW.minusSeconds(10)).expiresAt(NOW.plusSeconds(300)).build();
    SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(old, List.of(), "bob"));
    SecondFactor.Missing missing = factor.missing().orElseThrow();
    assertThat(missing.bearer()).isTrue();
    assertThat(missing.maxAge()).isEqualTo(Duration.ofMinutes(15));
    assertThat(missing.reason()).isEqualTo("you signed in 20 min ago");

    SecurityContextHolder.clearContext();
    assertThat(factor.missing()).as("no authentication at all: nothing says a second factor").isPresent();
  }

  private static StepUpRule.SignIn signIn(Instant authTime, List<String> amr, String acr) {
    return new StepUpRule.SignIn(authTime, amr, acr);
  }
}
