package io.airlock.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.http.MediaType;

/**
 * problem+json answers written by filters, before Spring MVC. Never a {@code WWW-Authenticate}
 * header: browsers prompt for credentials on a Basic (or Digest, NTLM, Negotiate) challenge.
 */
final class Problems {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Problems() {}

  static void write(HttpServletResponse res, int status, String title, String detail) throws IOException {
    res.setStatus(status);
    res.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    JSON.writeValue(res.getOutputStream(),
        Map.of("type", "about:blank", "title", title, "status", status, "detail", detail));
  }
}
