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

  /** Whether the signed-in user is the Identity Center user {@code principal} (case-insensitive, as IAM Identity Center). */
  public boolean isSamePerson(String userId, String principal) {
    String own = identityCenterNameOf(userId);
    return own != null && principal != null && own.toLowerCase(Locale.ROOT).equals(principal.toLowerCase(Locale.ROOT));
  }
}
