package io.airlock.identity;

import io.airlock.health.TimeBoundedHealthIndicator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * Health component {@code keycloak} (profile {@code keycloak}), part of readiness: a node that
 * cannot reach its identity provider cannot sign anybody in, so the load balancer should send
 * nobody to it. Reads the realm's OpenID discovery document where this node reaches Keycloak
 * ({@link KeycloakProperties#internalRealmUrl()}: {@code airlock.keycloak.internal-url}, else
 * {@code url}) within {@link #TIMEOUT}, at most every {@link #CACHE}, and checks that the issuer it
 * names is the one sign-in and bearer tokens are checked against ({@link KeycloakProperties#issuer()},
 * the public {@code airlock.keycloak.url}): a Keycloak whose hostname is not that URL would issue
 * tokens no node accepts. No setting of its own, so the probe asks the Keycloak Airlock actually
 * uses. A probe waits at most {@link TimeBoundedHealthIndicator#DEADLINE} (1.5 s) for it; a slower
 * answer still lands in the cache for the probes after it.
 */
@Component("keycloak")
@Profile("keycloak")
class KeycloakHealthIndicator implements HealthIndicator {

  static final Duration CACHE = Duration.ofSeconds(30);
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private final String issuer;
  private final String discovery;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final HealthIndicator bounded = new TimeBoundedHealthIndicator("Keycloak", this::cached);
  private volatile Health last;
  private volatile long checkedAt;

  KeycloakHealthIndicator(KeycloakProperties keycloak) {
    this.issuer = keycloak.issuer();
    this.discovery = keycloak.internalRealmUrl() + "/.well-known/openid-configuration";
  }

  @Override
  public Health health() {
    return bounded.health();
  }

  private synchronized Health cached() {
    if (last == null || System.nanoTime() - checkedAt >= CACHE.toNanos()) {
      last = check();
      checkedAt = System.nanoTime();
    }
    return last;
  }

  private Health check() {
    try {
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(discovery))
          .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        return Health.down().withDetail("issuer", issuer).withDetail("discovery", discovery)
            .withDetail("status", answer.statusCode()).build();
      }
      String named = JSON.readTree(answer.body()).path("issuer").asText("");
      if (!issuer.equals(named)) {
        return Health.down().withDetail("issuer", issuer).withDetail("discovery", discovery).withDetail("error",
            "Keycloak names its issuer " + named + ", not " + issuer + ": start Keycloak with hostname "
                + issuer.substring(0, issuer.indexOf("/realms/")) + " (KC_HOSTNAME), or set airlock.keycloak.url to its hostname")
            .build();
      }
      return Health.up().withDetail("issuer", issuer).withDetail("status", answer.statusCode()).build();
    } catch (java.io.IOException | IllegalArgumentException e) {
      return Health.down().withDetail("issuer", issuer).withDetail("discovery", discovery)
          .withDetail("error", e.getClass().getSimpleName()).build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down().withDetail("issuer", issuer).withDetail("error", "interrupted").build();
    }
  }
}
