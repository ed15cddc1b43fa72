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
 * {@code airlock.keycloak.url} and {@code realm}, with no issuer setting of its own to forget.
 */
class KeycloakHealthIndicatorTest {

  private HttpServer keycloak;
  private String url;

  @BeforeEach
  void startKeycloakStub() throws Exception {
    keycloak = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    keycloak.createContext("/", exchange -> {
      boolean discovery = exchange.getRequestURI().getPath().equals("/realms/airlock/.well-known/openid-configuration");
      byte[] body = (discovery ? "{\"issuer\":\"" + url + "/realms/airlock\"}" : "{}").getBytes(StandardCharsets.UTF_8);
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
    return new KeycloakProperties(url, realm, "airlock-webapp", "s", "airlock-identity", "s", "airlock",
        KeycloakProperties.UserId.USERNAME, null, null);
  }
}
