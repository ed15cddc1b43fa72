package io.airlock.sandbox;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * In sandbox mode every answer says so ({@code X-Airlock-Sandbox: true}), so that no script,
 * proxy log or person mistakes the emulator's grants for real AWS access.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
@ConditionalOnProperty(prefix = "airlock.aws.sandbox", name = "enabled", havingValue = "true")
class SandboxHeaderFilter extends OncePerRequestFilter {

  static final String HEADER = "X-Airlock-Sandbox";

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    response.setHeader(HEADER, "true: AWS is emulated; no access is granted in real AWS");
    chain.doFilter(request, response);
  }
}
