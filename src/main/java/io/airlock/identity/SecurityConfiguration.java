package io.airlock.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * Nothing answers without sign-in. Airlock's REST API, the engine REST API (Camunda Modeler
 * deploys through it), the API docs and actuator take HTTP basic against the Camunda users;
 * the Camunda webapps (Cockpit, Tasklist, Admin) have their own sign-in page and session, and
 * their own CSRF protection, so Spring leaves them to it.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Bean
  @Order(1)
  SecurityFilterChain webapps(HttpSecurity http) throws Exception {
    // Whole-path matchers: the webapps are not served by Spring MVC's DispatcherServlet.
    PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
    http.securityMatcher(new OrRequestMatcher(path.matcher("/camunda/**"), path.matcher("/")))
        .authorizeHttpRequests(a -> a.anyRequest().permitAll())
        .csrf(c -> c.disable())
        .headers(h -> h.frameOptions(f -> f.sameOrigin()));
    return http.build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain api(HttpSecurity http, CamundaUserAuthenticationProvider users, IdentityService identity)
      throws Exception {
    http.authorizeHttpRequests(a -> a.anyRequest().authenticated())
        .authenticationProvider(users)
        .httpBasic(b -> b.realmName("Airlock").authenticationEntryPoint((req, res, e) ->
            problem(res, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized",
                "Sign in: this endpoint needs HTTP basic authentication (or a bearer token)", true)))
        .exceptionHandling(x -> x
            .authenticationEntryPoint((req, res, e) -> problem(res, HttpServletResponse.SC_UNAUTHORIZED,
                "Unauthorized", "Sign in: this endpoint needs HTTP basic authentication (or a bearer token)", true))
            .accessDeniedHandler((req, res, e) -> problem(res, HttpServletResponse.SC_FORBIDDEN, "Forbidden",
                "You are signed in but may not do this", false)))
        // Stateless clients with credentials on every call: no session, no CSRF token.
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(c -> c.disable())
        .addFilterAfter(new EngineAuthenticationFilter(identity), BasicAuthenticationFilter.class);
    return http.build();
  }

  private static void problem(HttpServletResponse res, int status, String title, String detail, boolean challenge)
      throws IOException {
    res.setStatus(status);
    if (challenge) {
      res.setHeader("WWW-Authenticate", "Basic realm=\"Airlock\"");
    }
    res.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    JSON.writeValue(res.getOutputStream(), Map.of("type", "about:blank", "title", title, "status", status, "detail", detail));
  }
}
