package io.airlock.sandbox;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * In sandbox mode every page of the Camunda webapps says so: each webapp's {@code index.html}
 * loads {@code styles/user-styles.css} (empty in Camunda's webjar, meant for customizing), and
 * this filter answers it with a banner ({@code sandbox-banner.css}: a fixed strip along the
 * bottom of every page, the sign-in forms included). Pure CSS, so no script runs and the webapps'
 * content security policy stays as it is. Without the sandbox the bean does not exist and the
 * webjar's own file is served.
 */
@Component
@ConditionalOnProperty(prefix = "airlock.aws.sandbox", name = "enabled", havingValue = "true")
class SandboxBannerFilter extends OncePerRequestFilter {

  private final Pattern userStyles;
  private final byte[] css;

  SandboxBannerFilter(@Value("${camunda.bpm.webapp.application-path:/camunda}") String applicationPath) throws IOException {
    this.userStyles = Pattern.compile(Pattern.quote(applicationPath) + "/app/(tasklist|cockpit|admin|welcome)/styles/user-styles\\.css");
    try (InputStream in = SandboxBannerFilter.class.getResourceAsStream("sandbox-banner.css")) {
      if (in == null) {
        throw new IllegalStateException("sandbox-banner.css is missing from the classpath");
      }
      this.css = in.readAllBytes();
    }
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return !"GET".equals(request.getMethod()) || !userStyles.matcher(path).matches();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("text/css;charset=UTF-8");
    // Turning the sandbox off must take the banner away at the next page load.
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(css.length);
    response.getOutputStream().write(css);
  }
}
