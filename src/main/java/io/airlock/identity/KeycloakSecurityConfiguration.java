package io.airlock.identity;

import io.airlock.config.MetricsProperties;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.webapp.impl.security.auth.ContainerBasedAuthenticationFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenDecoderFactory;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenValidator;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import com.nimbusds.jose.RemoteKeySourceException;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.logout.LogoutFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * Sign-in in the {@code keycloak} profile (application-keycloak.yaml, keycloak-realm/). Nothing
 * answers anonymously:
 * <ul>
 *   <li>the Camunda webapps (and Airlock's pages, in their own chain with CSRF tokens): OpenID Connect sign-in at Keycloak (authorization code
 *       with PKCE, client {@code airlock-webapp}); the signed-in person is handed to the webapps
 *       by their {@code ContainerBasedAuthenticationFilter} ({@link KeycloakWebappAuthenticationProvider}).
 *       The webapps' own CSRF protection stays on; their password sign-in cannot succeed (no
 *       client of the realm allows the password grant). Signing out, with the webapps' button or
 *       at {@code /logout}, ends the Keycloak session too ({@link KeycloakLogout});
 *   <li>everything else ({@code /api}, {@code /engine-rest}, API docs, actuator): OAuth2 resource
 *       server, a JWT of the realm (issuer, signature, expiry checked) whose audience names
 *       {@code airlock.keycloak.audience}, times within {@code airlock.keycloak.clock-skew}; the person's groups are read from Keycloak at each
 *       request ({@link EngineGroupsJwtConverter}). The Cockpit plugin's reads keep working with
 *       the webapps' session ({@link WebappSessionAuthenticationFilter}).
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
@Profile("keycloak")
class KeycloakSecurityConfiguration {

  static final String REGISTRATION = "keycloak";
  private static final String OIDC = "/protocol/openid-connect";
  /** The webapps' sign-out call (its button): a Spring sign-out as well, which ends the Keycloak session. */
  static final String WEBAPP_LOGOUT = "/camunda/api/admin/auth/user/{engine}/logout";
  private static final String SIGN_IN =
      "Sign in: this endpoint needs a bearer token of the Keycloak realm (Authorization: Bearer ...)";

  @Bean
  ClientRegistrationRepository keycloakClientRegistrations(KeycloakProperties keycloak) {
    // Keycloak's endpoints are fixed paths under the issuer: no discovery call, so Airlock
    // starts whether or not Keycloak is up yet. Browsers go to the public URL (authorization,
    // end-session); this node's own calls (token, keys, userinfo) to the internal one. The ID
    // token's issuer is the public URL either way (Keycloak's hostname).
    String browser = keycloak.issuer() + OIDC;
    String node = keycloak.internalRealmUrl() + OIDC;
    return new InMemoryClientRegistrationRepository(ClientRegistration.withRegistrationId(REGISTRATION)
        .clientId(keycloak.clientId())
        .clientSecret(keycloak.clientSecret())
        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
        .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
        .scope("openid", "profile", "email")
        .issuerUri(keycloak.issuer())
        .authorizationUri(browser + "/auth")
        .tokenUri(node + "/token")
        .jwkSetUri(node + "/certs")
        .userInfoUri(node + "/userinfo")
        .userNameAttributeName(keycloak.userId().claim())
        .providerConfigurationMetadata(Map.of("end_session_endpoint", browser + "/logout"))
        .clientName("Keycloak")
        .build());
  }

  /**
   * Bearer tokens: keys from the internal URL, issuer the public one. Keycloak unreachable while
   * the keys are needed (not cached yet, or a key this node has not seen) is an outage (503), not a
   * bad token (401) nor an error (500).
   */
  @Bean
  JwtDecoder keycloakJwtDecoder(KeycloakProperties keycloak) {
    NimbusJwtDecoder decoder = NimbusJwtDecoder
        .withJwkSetUri(keycloak.internalRealmUrl() + OIDC + "/certs").build();
    // Spring's defaults, but exp, nbf and iat within airlock.keycloak.clock-skew (Spring allows 60 s).
    decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(List.of(
        new JwtTimestampValidator(keycloak.clockSkew()),
        new JwtIssuerValidator(keycloak.issuer()),
        new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, aud -> aud != null && aud.contains(keycloak.audience())))));
    return token -> {
      try {
        return decoder.decode(token);
      } catch (BadJwtException e) {
        throw e;
      } catch (JwtException e) {
        if (e.getCause() instanceof RemoteKeySourceException) {
          throw new CamundaUserAuthenticationProvider.Unreachable(null, Outages.Outage.IDENTITY_PROVIDER, e);
        }
        throw e;
      }
    };
  }

  /** The browser sign-in's ID tokens, checked with the same clock skew as bearer tokens. */
  @Bean
  JwtDecoderFactory<ClientRegistration> keycloakIdTokenDecoderFactory(KeycloakProperties keycloak) {
    OidcIdTokenDecoderFactory factory = new OidcIdTokenDecoderFactory();
    factory.setJwtValidatorFactory(registration -> {
      OidcIdTokenValidator idToken = new OidcIdTokenValidator(registration);
      idToken.setClockSkew(keycloak.clockSkew());
      return new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(keycloak.clockSkew()), idToken);
    });
    return factory;
  }

  @Bean
  KeycloakLogout keycloakLogout(ClientRegistrationRepository registrations, KeycloakProperties keycloak) {
    return new KeycloakLogout(registrations.findByRegistrationId(REGISTRATION), keycloak.internalRealmUrl() + OIDC + "/logout");
  }

  /** Slack's callbacks: no sign-in, each verified by its signature instead ({@link ChatCallbackSecurity}). */
  @Bean
  @Order(-1)
  SecurityFilterChain keycloakSlackCallbacks(HttpSecurity http) throws Exception {
    return ChatCallbackSecurity.chain(http).build();
  }

  @Bean
  @Order(1)
  SecurityFilterChain keycloakWebapps(HttpSecurity http, KeycloakLogout logout,
      ClientRegistrationRepository registrations, KeycloakProperties keycloak,
      io.airlock.request.SecondFactor secondFactor) throws Exception {
    // PKCE as well as the client secret (the realm requires S256 of airlock-webapp); a step-up
    // (KeycloakStepUp) asks Keycloak for a fresh sign-in with the second factor.
    OAuth2AuthorizationRequestResolver pkce = KeycloakStepUp.resolver(registrations, keycloak);
    PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
    AuthenticationEntryPoint toKeycloak = new LoginUrlAuthenticationEntryPoint("/oauth2/authorization/" + REGISTRATION);
    AuthenticationEntryPoint apiSignIn = (req, res, e) -> Problems.write(res, HttpServletResponse.SC_UNAUTHORIZED,
        "Unauthorized", "Sign in to Airlock first (your session ended)");
    http.securityMatcher(new OrRequestMatcher(path.matcher("/camunda/**"),
            path.matcher("/oauth2/**"), path.matcher("/login/**"), path.matcher("/logout")))
        .authorizeHttpRequests(a -> a
            .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
            .anyRequest().authenticated())
        .oauth2Login(o -> o.loginPage("/oauth2/authorization/" + REGISTRATION)
            .authorizationEndpoint(a -> a.authorizationRequestResolver(pkce))
            .successHandler(KeycloakStepUp.successHandler()))
        .addFilterAfter(new KeycloakStepUp.Entry(secondFactor), AuthorizationFilter.class)
        .exceptionHandling(x -> x
            // The webapps' XHR calls get a 401 (they show their sign-in prompt); pages go to Keycloak.
            .defaultAuthenticationEntryPointFor(apiSignIn, path.matcher("/camunda/api/**"))
            .defaultAuthenticationEntryPointFor(toKeycloak, r -> true))
        .logout(l -> l
            .logoutRequestMatcher(new OrRequestMatcher(path.matcher(HttpMethod.POST, "/logout"),
                path.matcher(HttpMethod.POST, WEBAPP_LOGOUT)))
            .logoutSuccessHandler(logout))
        // Camunda's own CSRF filter guards the webapps' writes (its X-XSRF-TOKEN); Spring's would
        // only refuse them. Cross-site writes (a forged sign-out included) are refused by origin.
        .csrf(c -> c.disable())
        .addFilterBefore(new CrossSiteWriteFilter(), LogoutFilter.class)
        .headers(h -> h.frameOptions(f -> f.sameOrigin()));
    return http.build();
  }

  /**
   * Airlock's own pages: signed in through Keycloak like the webapps (the same session), with
   * Spring's CSRF tokens on the portal's forms; signing out ends the Keycloak session too.
   */
  @Bean
  @Order(0)
  SecurityFilterChain keycloakPortal(HttpSecurity http, KeycloakLogout logout, KeycloakProperties keycloak,
      MetricsProperties metrics, io.airlock.audit.AuditLog audit) throws Exception {
    java.net.URI issuer = java.net.URI.create(keycloak.issuer());
    String keycloakOrigin = issuer.getScheme() + "://" + issuer.getAuthority();
    PortalSecurity.common(http, new MonitoringOnlyFilter(metrics.group(), audit), keycloakOrigin)
        .exceptionHandling(x -> x.authenticationEntryPoint(
            new LoginUrlAuthenticationEntryPoint("/oauth2/authorization/" + REGISTRATION)))
        .logout(l -> l.logoutUrl("/sign-out").logoutSuccessHandler(logout));
    return http.build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain keycloakApi(HttpSecurity http, JwtDecoder decoder, IdentityService identity,
      KeycloakProperties keycloak, io.airlock.config.AirlockProperties properties, MetricsProperties metrics,
      io.airlock.audit.AuditLog audit) throws Exception {
    AuthenticationEntryPoint signIn = (req, res, e) -> {
      if (e instanceof CamundaUserAuthenticationProvider.Unreachable away) {
        Outages.audit(audit, away.user, away.outage, req);
        Outages.write(res, away.outage);
        return;
      }
      Problems.write(res, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized", SIGN_IN);
    };
    ApiSecurity.common(http, properties, metrics, audit, identity, signIn, BearerTokenAuthenticationFilter.class)
        .oauth2ResourceServer(o -> o
            .jwt(j -> j.decoder(decoder).jwtAuthenticationConverter(
                new EngineGroupsJwtConverter(identity, keycloak.userId().claim())))
            .authenticationEntryPoint(signIn));
    return http.build();
  }

  /**
   * The webapps take the person Spring signed in (after Spring Security's filter chain, which
   * Spring Boot registers at order -100).
   */
  @Bean
  FilterRegistrationBean<ContainerBasedAuthenticationFilter> webappContainerAuthentication() {
    FilterRegistrationBean<ContainerBasedAuthenticationFilter> registration =
        new FilterRegistrationBean<>(new ContainerBasedAuthenticationFilter());
    registration.setInitParameters(Map.of("authentication-provider", KeycloakWebappAuthenticationProvider.class.getName()));
    registration.addUrlPatterns("/camunda/app/*", "/camunda/api/*");
    registration.setOrder(201);
    return registration;
  }
}
