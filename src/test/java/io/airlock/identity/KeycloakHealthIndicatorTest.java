package io.airlock.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * Readiness asks the Keycloak that sign-in and token checks use: the realm's discovery document under
 * {@code airlock.keycloak.internal-url} (else {@code url}) and {@code realm}, with no setting of its own to
 * forget, and it must name the public issuer the tokens are checked against.
 */
class KeycloakHealthIndicatorTest {

  private HttpServer keycloak;
  private String url;
  /** The issuer the stub's discovery document names (Keycloak's hostname); null: its own URL. */
  private volatile String hostname;

  @BeforeEach
  void startKeycloakStub() throws Exception {
    keycloak = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    keycloak.createContext("/", exchange -> {
      boolean discovery = exchange.getRequestURI().getPath().equals("/realms/airlock/.well-known/openid-configuration");
      byte[] body = (discovery ? "{\"issuer\":\"" + (hostname == null ? url : hostname) + "/realms/airlock\"}" : "{}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(discovery ? 200 : 404, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    keycloak.start();
    url = "http://127.0.0.1:" + keycloak.getAddress().getPort();
  }

  @AfterEach
  void stopKeycloakStub() {
    keycloak.stop(0);
  }

  @Test
  void upWhenTheConfiguredRealmAnswersItsDiscoveryDocument() {
    Health health = new KeycloakHealthIndicator(properties(url + "/", "airlock")).health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails()).containsEntry("issuer", url + "/realms/airlock").containsEntry("status", 200);
  }

  @Test
  void upWhenReachedAtTheInternalUrlWhileItsIssuerIsThePublicOne() {
    hostname = "https://sso.example.com";
    Health health = new KeycloakHealthIndicator(properties("https://sso.example.com", url, "airlock")).health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails()).containsEntry("issuer", "https://sso.example.com/realms/airlock");
  }

  @Test
  void downNamingTheFixWhenKeycloaksHostnameIsNotThePublicUrl() {
    // Keycloak without hostname names the URL it was asked at: its tokens would not be accepted.
    Health health = new KeycloakHealthIndicator(properties("https://sso.example.com", url, "airlock")).health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails().get("error").toString())
        .contains("names its issuer " + url + "/realms/airlock, not https://sso.example.com/realms/airlock",
            "hostname https://sso.example.com (KC_HOSTNAME)");
  }

  @Test
  void downWhenTheConfiguredRealmIsNotThere() {
    Health health = new KeycloakHealthIndicator(properties(url, "elsewhere")).health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails()).containsEntry("issuer", url + "/realms/elsewhere").containsEntry("status", 404);
  }

  @Test
  void downWhenKeycloakDoesNotAnswer() {
    keycloak.stop(0);

    Health health = new KeycloakHealthIndicator(properties(url, "airlock")).health();

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails()).containsEntry("issuer", url + "/realms/airlock").containsKey("error");
  }

  private static KeycloakProperties properties(String url, String realm) {
    return properties(url, null, realm);
  }

  private static KeycloakProperties properties(String url, String internalUrl, String realm) {
    return new KeycloakProperties(url, internalUrl, realm, "airlock-webapp", "s", "airlock-identity", "s", "airlock",
        KeycloakProperties.UserId.USERNAME, null, null);
  }
}
