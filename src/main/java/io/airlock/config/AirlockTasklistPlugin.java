package io.airlock.config;

import java.util.Set;
import org.camunda.bpm.tasklist.plugin.spi.impl.AbstractTasklistPlugin;

/**
 * Tasklist plugin "My requests" (Camunda 7 webapp plugin, registered in {@code META-INF/services}):
 * a navigation bar entry that shows the signed-in user's requests from Airlock's
 * {@code GET /api/requests?mine=true} (status, account, permission, duration, who must review,
 * the decision with its comment, the end), with Withdraw for those still waiting
 * ({@code POST /api/requests/{id}/withdraw}), both with the Tasklist session
 * ({@code identity/WebappSessionAuthenticationFilter}; the write with Tasklist's CSRF token).
 * The script is {@code plugin-webapp/airlock-requests/app/plugin.js}.
 */
public class AirlockTasklistPlugin extends AbstractTasklistPlugin {

  public static final String ID = "airlock-requests";

  @Override
  public String getId() {
    return ID;
  }

  @Override
  public Set<Class<?>> getResourceClasses() {
    return Set.of(AirlockTasklistPluginRootResource.class);
  }

  @Override
  public String getAssetDirectory() {
    return "plugin-webapp/" + ID;
  }
}
