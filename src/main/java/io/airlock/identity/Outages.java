package io.airlock.identity;

import io.airlock.audit.AuditLog;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.impl.identity.IdentityProviderException;

/**
 * What Airlock cannot reach when a call fails for it, not for the caller: its database, or the
 * identity provider (Keycloak, through the engine's identity service). Such a call answers 503
 * with Airlock's sentence and a Retry-After, never 500; nothing was done; and the refused attempt
 * is audited (held in memory while the database is away, written once it is back).
 */
public final class Outages {

  /** What is unreachable. */
  public enum Outage {
    DATABASE("its database"),
    IDENTITY_PROVIDER("the identity provider (Keycloak) to check your groups");

    final String words;

    Outage(String words) {
      this.words = words;
    }
  }

  public static final String REFUSED = "refused.unavailable";

  private Outages() {}

  /** The outage behind {@code e}, or null when {@code e} is not one. */
  public static Outage of(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IdentityProviderException) {
        return Outage.IDENTITY_PROVIDER;
      }
    }
    return AuditLog.databaseAway(e) ? Outage.DATABASE : null;
  }

  /** The sentence a person reads. */
  public static String sentence(Outage outage) {
    return "Airlock cannot reach " + outage.words + " right now, so nothing was done. Try again in a minute; if it "
        + "lasts, tell the people who run Airlock (its health page says what is down).";
  }

  /** Audits the refused attempt (held until the database is back when it is the database that is away). */
  public static void audit(AuditLog audit, String actor, Outage outage, HttpServletRequest request) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reason", "unavailable: " + outage.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    details.put("method", request.getMethod());
    details.put("path", request.getRequestURI());
    audit.refused(actor, REFUSED, null, details);
  }

  /** Writes the 503 problem+json with a Retry-After, as filters answer. */
  static void write(HttpServletResponse response, Outage outage) throws IOException {
    response.setHeader("Retry-After", "30");
    Problems.write(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Service Unavailable", sentence(outage));
  }
}
