package io.airlock.teams;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Reviews in Microsoft Teams through the Bot Framework (README, "Approve in Microsoft Teams"): an
 * Adaptive Card with the request in words and Approve / Deny, posted to one conversation when a
 * review waits and updated for everyone once it is decided anywhere. Off until the bot's app id,
 * its secret, the service URL and the conversation are set.
 *
 * @param appId the bot's Microsoft app id (Azure Bot, "Microsoft App ID"): the audience of every token Teams sends
 * @param appPassword the bot's client secret: a secret, from the environment
 * @param appPasswordFile a file holding the client secret (a container secret); wins over {@code appPassword}
 * @param serviceUrl the Bot Connector service URL of the team (e.g. https://smba.trafficmanager.net/emea/)
 * @param conversationId the conversation (a channel's id, 19:...@thread.tacv2) review cards are posted to
 * @param tenantId the Microsoft Entra tenant whose people may review; empty: not checked
 * @param tokenUrl where the bot obtains its token by client credentials (Microsoft identity platform)
 * @param openIdMetadataUrl the Bot Framework's OpenID metadata, whose jwks_uri holds the keys Teams signs with
 * @param matchByEmail a Teams user is the Airlock user whose email is their email or UPN (Bot Connector member lookup)
 * @param users Microsoft Entra object id (aadObjectId) of a Teams user to Airlock user id; wins over the email
 */
@Validated
@ConfigurationProperties("airlock.notify.teams")
public record TeamsProperties(
    String appId,
    String appPassword,
    Path appPasswordFile,
    String serviceUrl,
    String conversationId,
    String tenantId,
    @NotBlank @DefaultValue("https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token") String tokenUrl,
    @NotBlank @DefaultValue("https://login.botframework.com/v1/.well-known/openidconfiguration") String openIdMetadataUrl,
    @DefaultValue("true") boolean matchByEmail,
    Map<String, String> users) {

  public TeamsProperties {
    Map<String, String> lower = new LinkedHashMap<>();
    if (users != null) {
      // Entra object ids are GUIDs: compared in lower case.
      users.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    }
    users = Map.copyOf(lower);
  }

  public boolean enabled() {
    return present(appId) && present(serviceUrl) && present(conversationId)
        && (appPasswordFile != null || present(appPassword));
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }
}
