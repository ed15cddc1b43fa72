package io.airlock.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Whether an activity really comes from the Bot Framework for this bot, as its documentation
 * ("Authentication: Bot Connector service to your bot") asks: the {@code Authorization: Bearer}
 * token is an RS256 JWT signed by one of the keys listed at the {@code jwks_uri} of the Bot
 * Framework's OpenID metadata; its issuer is {@code https://api.botframework.com}; its audience is
 * the bot's app id; it has an expiry and has not expired, nor is it used before its start, with
 * five minutes of clock skew; and its {@code serviceurl} claim is the activity's serviceUrl. The
 * signature and the claims are checked by Spring Security's {@link NimbusJwtDecoder}; the keys are
 * fetched and cached by it (and fetched again for a key id it does not know, so key rollover works).
 */
class TeamsTokenVerifier {

  static final String ISSUER = "https://api.botframework.com";
  static final Duration SKEW = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String openIdMetadataUrl;
  private final String appId;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile JwtDecoder decoder;

  TeamsTokenVerifier(String openIdMetadataUrl, String appId, Clock clock) {
    this.openIdMetadataUrl = openIdMetadataUrl;
    this.appId = appId;
    this.clock = clock;
  }

  /** Empty when the token is the Bot Framework's for this bot and this serviceUrl; else what is wrong (for the log). */
  Optional<String> problem(String authorization, String activityServiceUrl) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of("no bearer token");
    }
    Jwt jwt;
    try {
      jwt = decoder().decode(authorization.substring(7).strip());
    } catch (JwtException e) {
      return Optional.of("the token is not valid: " + e.getMessage());
    } catch (IOException e) {
      return Optional.of("the Bot Framework's keys could not be read: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
    String claimed = jwt.getClaimAsString("serviceurl");
    if (claimed == null) {
      claimed = jwt.getClaimAsString("serviceUrl");
    }
    if (claimed == null || activityServiceUrl == null || !claimed.equals(activityServiceUrl)) {
      return Optional.of("the token's serviceurl claim is not the activity's serviceUrl");
    }
    return Optional.empty();
  }

  private JwtDecoder decoder() throws IOException, InterruptedException {
    JwtDecoder d = decoder;
    if (d == null) {
      synchronized (this) {
        if (decoder == null) {
          decoder = build(jwksUri());
        }
        d = decoder;
      }
    }
    return d;
  }

  private String jwksUri() throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(openIdMetadataUrl)).timeout(Duration.ofSeconds(10)).GET()
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("the OpenID metadata answered HTTP " + response.statusCode());
    }
    JsonNode metadata = JSON.readTree(response.body());
    String jwks = metadata.path("jwks_uri").asText("");
    if (jwks.isBlank()) {
      throw new IOException("the OpenID metadata names no jwks_uri");
    }
    return jwks;
  }

  private JwtDecoder build(String jwksUri) {
    NimbusJwtDecoder d = NimbusJwtDecoder.withJwkSetUri(jwksUri).jwsAlgorithm(SignatureAlgorithm.RS256).build();
    JwtTimestampValidator time = new JwtTimestampValidator(SKEW);
    time.setClock(clock);
    OAuth2TokenValidator<Jwt> expires = jwt -> jwt.getExpiresAt() != null ? OAuth2TokenValidatorResult.success()
        : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "the token has no expiry", null));
    d.setJwtValidator(new DelegatingOAuth2TokenValidator<>(List.of(expires, time, new JwtIssuerValidator(ISSUER),
        new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, aud -> aud != null && aud.contains(appId)))));
    return d;
  }
}
