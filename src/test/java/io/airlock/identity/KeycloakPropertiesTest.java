package io.airlock.identity;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The clock skew is at most 10 s, and step-up needs a window and something that counts as a second factor. */
class KeycloakPropertiesTest {

  private final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();

  @Test
  void theClockSkewIsTenSecondsAtMost() {
    assertThat(violations(properties(null, null))).isEmpty();
    assertThat(properties(null, null).clockSkew()).isEqualTo(Duration.ofSeconds(10));
    assertThat(violations(properties(Duration.ofSeconds(2), null))).isEmpty();
    assertThat(violations(properties(Duration.ofSeconds(11), null)))
        .containsExactly("airlock.keycloak.clock-skew must be between 0 and 10 seconds");
    assertThat(violations(properties(Duration.ofSeconds(-1), null))).hasSize(1);
  }

  @Test
  void stepUpNeedsAPositiveWindowAndASecondFactorToLookFor() {
    assertThat(violations(properties(null, new KeycloakProperties.StepUp(Duration.ZERO, null, null)))).hasSize(1);
    assertThat(violations(properties(null, new KeycloakProperties.StepUp(null, List.of(" "), List.of())))).hasSize(1);
    assertThat(violations(properties(null, new KeycloakProperties.StepUp(null, List.of(), List.of("gold"))))).isEmpty();
  }

  @Test
  void theInternalUrlIsThePublicOneUnlessSetAndBothMustBeBaseUrls() {
    KeycloakProperties same = internal(null);
    assertThat(violations(same)).isEmpty();
    assertThat(same.internalRealmUrl()).isEqualTo("https://sso.example.com/realms/airlock");
    assertThat(internal(" ").adminUrl()).isEqualTo("https://sso.example.com/admin/realms/airlock");

    KeycloakProperties split = internal("http://keycloak:8080/");
    assertThat(violations(split)).isEmpty();
    assertThat(split.issuer()).isEqualTo("https://sso.example.com/realms/airlock");
    assertThat(split.internalRealmUrl()).isEqualTo("http://keycloak:8080/realms/airlock");
    assertThat(split.adminUrl()).isEqualTo("http://keycloak:8080/admin/realms/airlock");

    for (String bad : List.of("keycloak:8080", "http://keycloak:8080/realms/airlock", "ftp://keycloak", "http://kc?x=1")) {
      assertThat(violations(internal(bad))).as(bad).singleElement().asString()
          .startsWith("airlock.keycloak.internal-url must be the http(s) base URL");
    }
    assertThat(violations(new KeycloakProperties("sso.example.com", null, "airlock", "airlock-webapp", "s",
        "airlock-identity", "s", "airlock", KeycloakProperties.UserId.USERNAME, null, null)))
        .contains("airlock.keycloak.url must be Keycloak's public http(s) base URL, e.g. https://sso.example.com"
            + " (no /realms/..., no query)");
  }

  private static KeycloakProperties internal(String internalUrl) {
    return new KeycloakProperties("https://sso.example.com", internalUrl, "airlock", "airlock-webapp", "s",
        "airlock-identity", "s", "airlock", KeycloakProperties.UserId.USERNAME, null, null);
  }

  private List<String> violations(KeycloakProperties p) {
    Set<ConstraintViolation<KeycloakProperties>> v = validator.validate(p);
    return v.stream().map(ConstraintViolation::getMessage).toList();
  }

  private static KeycloakProperties properties(Duration skew, KeycloakProperties.StepUp stepUp) {
    return new KeycloakProperties("http://kc", null, "airlock", "airlock-webapp", "s", "airlock-identity", "s", "airlock",
        KeycloakProperties.UserId.USERNAME, skew, stepUp);
  }
}
