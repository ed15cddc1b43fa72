package io.airlock.request;

import io.airlock.config.AirlockProperties;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Who a signed-in user is in IAM Identity Center: an explicit entry of
 * {@code airlock.principals.names}, else {@code airlock.principals.name-template} with
 * {@code {user}} replaced by the sign-in name. Used for "ask for yourself" and for four eyes
 * (nobody approves access they would receive).
 */
@Component
public class PrincipalMapping {

  private final String template;
  private final Map<String, String> names;

  public PrincipalMapping(AirlockProperties properties) {
    this.template = properties.principals().nameTemplate();
    this.names = properties.principals().names() == null ? Map.of() : Map.copyOf(properties.principals().names());
  }

  /** The Identity Center user name of a signed-in user. */
  public String identityCenterNameOf(String userId) {
    if (userId == null) {
      return null;
    }
    String explicit = names.get(userId);
    return explicit != null ? explicit : template.replace("{user}", userId);
  }

  /**
   * The sign-in name whose Identity Center user is {@code principal} (the inverse of
   * {@link #identityCenterNameOf}), or null when no sign-in name maps to it.
   */
  public String userIdOf(String principal) {
    if (principal == null) {
      return null;
    }
    for (Map.Entry<String, String> e : names.entrySet()) {
      if (e.getValue().equalsIgnoreCase(principal)) {
        return e.getKey();
      }
    }
    int at = template.indexOf("{user}");
    String prefix = template.substring(0, at);
    String suffix = template.substring(at + "{user}".length());
    String lower = principal.toLowerCase(Locale.ROOT);
    if (principal.length() > prefix.length() + suffix.length() && lower.startsWith(prefix.toLowerCase(Locale.ROOT))
        && lower.endsWith(suffix.toLowerCase(Locale.ROOT))) {
      String user = principal.substring(prefix.length(), principal.length() - suffix.length());
      return names.containsKey(user) ? null : user; // an explicit entry maps that user elsewhere
    }
    return null;
  }

  /** Whether the signed-in user is the Identity Center user {@code principal} (case-insensitive, as IAM Identity Center). */
  public boolean isSamePerson(String userId, String principal) {
    String own = identityCenterNameOf(userId);
    return own != null && principal != null && own.toLowerCase(Locale.ROOT).equals(principal.toLowerCase(Locale.ROOT));
  }
}
