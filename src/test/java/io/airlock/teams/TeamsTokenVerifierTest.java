package io.airlock.teams;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Bot Framework's token, checked as its documentation asks, against keys served as the Bot
 * Framework serves them (OpenID metadata naming a JWKS) from 127.0.0.1: only a token signed by
 * one of those keys, issued by https://api.botframework.com, for this bot, in its lifetime (five
 * minutes of skew) and for the activity's serviceUrl passes.
 */
class TeamsTokenVerifierTest {

  static final String APP_ID = "00000000-aaaa-bbbb-cccc-000000000001";
  static final String SERVICE_URL = "https://smba.trafficmanager.net/emea/";
  static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  static RSAKey key;
  static RSAKey otherKey;
  static HttpServer botFramework;
  static TeamsTokenVerifier verifier;

  @BeforeAll
  static void start() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("bf-key-1").generate();
    otherKey = new RSAKeyGenerator(2048).keyID("bf-key-1").generate(); // same key id, another key: a forgery
    botFramework = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String base = "http://127.0.0.1:" + botFramework.getAddress().getPort();
    botFramework.createContext("/v1/.well-known/openidconfiguration", x -> answer(x,
        "{\"issuer\":\"https://api.botframework.com\",\"jwks_uri\":\"" + base + "/v1/.well-known/keys\"}"));
    botFramework.createContext("/v1/.well-known/keys", x -> answer(x, new JWKSet(key.toPublicJWK()).toString()));
    botFramework.start();
    verifier = new TeamsTokenVerifier(base + "/v1/.well-known/openidconfiguration", APP_ID,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterAll
  static void stop() {
    botFramework.stop(0);
  }

  @Test
  void theBotFrameworksTokenForThisBotAndServiceUrlPasses() throws Exception {
    assertThat(verifier.problem("Bearer " + token(key, c -> { }), SERVICE_URL)).isEmpty();
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
    assertThat(verifier.problem("Bearer " + token(otherKey, c -> { }), SERVICE_URL)).isPresent();
  }

  @Test
  void anAlteredTokenIsRefused() throws Exception {
    String[] parts = token(key, c -> { }).split("\\.");
    String otherClaims = token(key, c -> c.audience("someone-else")).split("\\.")[1];
    assertThat(verifier.problem("Bearer " + parts[0] + "." + otherClaims + "." + parts[2], SERVICE_URL)).isPresent();
  }

  @Test
  void aTokenForAnotherBotIsRefused() throws Exception {
    assertThat(verifier.problem("Bearer " + token(key, c -> c.audience("another-bot")), SERVICE_URL)).get()
        .asString().contains("aud");
  }

  @Test
  void aTokenFromAnotherIssuerIsRefused() throws Exception {
    assertThat(verifier.problem("Bearer " + token(key, c -> c.issuer("https://sts.windows.net/evil/")), SERVICE_URL))
        .get().asString().contains("iss");
  }

  @Test
  void anExpiredTokenIsRefusedBeyondFiveMinutesOfSkewAndAcceptedWithin() throws Exception {
    assertThat(verifier.problem("Bearer " + token(key, c -> c.expirationTime(Date.from(NOW.minus(Duration.ofMinutes(6))))),
        SERVICE_URL)).get().asString().contains("xpired");
    assertThat(verifier.problem("Bearer " + token(key, c -> c.expirationTime(Date.from(NOW.minus(Duration.ofMinutes(4))))),
        SERVICE_URL)).isEmpty();
    assertThat(verifier.problem("Bearer " + token(key, c -> c.notBeforeTime(Date.from(NOW.plus(Duration.ofMinutes(10))))),
        SERVICE_URL)).as("not valid yet").isPresent();
  }

  @Test
  void aTokenWithoutExpiryIsRefused() throws Exception {
    assertThat(verifier.problem("Bearer " + token(key, c -> c.expirationTime(null)), SERVICE_URL)).isPresent();
  }

  @Test
  void aTokenForAnotherServiceUrlIsRefused() throws Exception {
    assertThat(verifier.problem("Bearer " + token(key, c -> { }), "https://evil.example/"))
        .get().asString().contains("serviceurl");
    assertThat(verifier.problem("Bearer " + token(key, c -> c.claim("serviceurl", null)), SERVICE_URL)).isPresent();
  }

  @Test
  void noTokenOrAnUnsignedOneIsRefused() throws Exception {
    assertThat(verifier.problem(null, SERVICE_URL)).isPresent();
    assertThat(verifier.problem("Basic Ym9iOmFpcmxvY2s=", SERVICE_URL)).isPresent();
    String unsigned = new com.nimbusds.jwt.PlainJWT(claims(c -> { })).serialize();
    assertThat(verifier.problem("Bearer " + unsigned, SERVICE_URL)).isPresent();
  }

  private static JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
    JWTClaimsSet.Builder c = new JWTClaimsSet.Builder()
        .issuer("https://api.botframework.com")
        .audience(APP_ID)
        .notBeforeTime(Date.from(NOW.minus(Duration.ofMinutes(1))))
        .expirationTime(Date.from(NOW.plus(Duration.ofMinutes(59))))
        .claim("serviceurl", SERVICE_URL);
    change.accept(c);
    return c.build();
  }

  static String token(RSAKey signer, Consumer<JWTClaimsSet.Builder> change) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID())
        .type(JOSEObjectType.JWT).build(), claims(change));
    jwt.sign(new RSASSASigner(signer));
    return jwt.serialize();
  }

  private static void answer(com.sun.net.httpserver.HttpExchange x, String body) throws java.io.IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(200, bytes.length);
    x.getResponseBody().write(bytes);
    x.close();
  }
}
