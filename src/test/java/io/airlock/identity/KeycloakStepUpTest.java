package io.airlock.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The browser's step-up: what it asks Keycloak for, and that it only ever comes back to Airlock. */
class KeycloakStepUpTest {

  @Test
  void aStepUpAsksKeycloakForAFreshSignInWithinTheWindowAndTheAcrValuesWhenThereAreAny() {
    assertThat(KeycloakStepUp.parameters(new KeycloakProperties.StepUp(null, null, null)))
        .containsExactly(java.util.Map.entry("prompt", "login"), java.util.Map.entry("max_age", "900"));
    assertThat(KeycloakStepUp.parameters(new KeycloakProperties.StepUp(Duration.ofMinutes(5), List.of(),
        List.of("gold", "platinum")))).containsEntry("max_age", "300").containsEntry("acr_values", "gold platinum");
  }

  @Test
  void itComesBackToAPathOfAirlocksOnly() {
    String task = "/camunda/app/tasklist/default/#/?task=1234";
    assertThat(KeycloakStepUp.localPath(task)).isEqualTo(task);
    for (String elsewhere : new String[] {null, "", "https://evil.example", "//evil.example/x", "/\\evil.example",
        "javascript:alert(1)", "/camunda\r\nSet-Cookie: x=1"}) {
      assertThat(KeycloakStepUp.localPath(elsewhere)).as(String.valueOf(elsewhere)).isEqualTo("/camunda/app/tasklist/");
    }
  }
}
