package io.airlock.identity;

import io.airlock.config.AirlockProperties;
import org.camunda.bpm.extension.keycloak.plugin.KeycloakIdentityProviderPlugin;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * The {@code keycloak} profile's engine identity: Camunda's users and groups (candidate groups
 * in Tasklist, authorizations, {@code IdentityService} queries) are Keycloak's, read through its
 * admin REST API with the {@code airlock-identity} service account, at {@code airlock.keycloak.internal-url}. Read-only: users and groups
 * are managed in Keycloak (or the company IdP behind it), not in Camunda Admin.
 *
 * <p>No cache: a person's groups are asked of Keycloak when they act, so someone removed from
 * an approver group cannot approve a minute later. The webapps keep their session's groups for
 * {@code camunda.bpm.webapp.auth.cache.time-to-live} (application-keycloak.yaml) at most.
 */
@Configuration(proxyBeanMethods = false)
@Profile("keycloak")
class KeycloakIdentityConfiguration {

  @Bean
  KeycloakIdentityProviderPlugin keycloakIdentityProvider(KeycloakProperties keycloak, AirlockProperties airlock) {
    KeycloakIdentityProviderPlugin plugin = new KeycloakIdentityProviderPlugin();
    // Both at the internal URL: the plugin asks its token there and reads the admin API.
    plugin.setKeycloakIssuerUrl(keycloak.internalRealmUrl());
    plugin.setKeycloakAdminUrl(keycloak.adminUrl());
    plugin.setClientId(keycloak.identityClientId());
    plugin.setClientSecret(keycloak.identityClientSecret());
    plugin.setUseUsernameAsCamundaUserId(keycloak.userId() == KeycloakProperties.UserId.USERNAME);
    plugin.setUseEmailAsCamundaUserId(keycloak.userId() == KeycloakProperties.UserId.EMAIL);
    // Group ids are paths, which for Airlock's top-level groups are their names (airlock-approvers),
    // as the decision tables and airlock.groups say; without it they would be Keycloak's UUIDs.
    plugin.setUseGroupPathAsCamundaGroupId(true);
    plugin.setAdministratorGroupName(airlock.groups().admins());
    plugin.setAuthorizationCheckEnabled(true);
    plugin.setCacheEnabled(false);
    plugin.setLoginCacheEnabled(false);
    return plugin;
  }
}
