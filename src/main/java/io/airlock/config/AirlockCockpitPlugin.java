package io.airlock.config;

import java.util.Set;
import org.camunda.bpm.cockpit.plugin.spi.impl.AbstractCockpitPlugin;

/**
 * Cockpit plugin "Audit &amp; explorer" (Camunda 7 webapp plugin, registered in
 * {@code META-INF/services}): its own navigation entry and page in Cockpit with the explorer and
 * the audit log, read from Airlock's {@code /api/explorer} and {@code /api/audit} with the
 * Cockpit session ({@code identity/WebappSessionAuthenticationFilter}), with their downloads.
 * The page's script is {@code plugin-webapp/airlock/app/plugin.js}; Cockpit itself is open to
 * operators, auditors and admins only, and the API refuses anyone else again.
 */
public class AirlockCockpitPlugin extends AbstractCockpitPlugin {

  public static final String ID = "airlock";

  @Override
  public String getId() {
    return ID;
  }

  @Override
  public Set<Class<?>> getResourceClasses() {
    return Set.of(AirlockCockpitPluginRootResource.class);
  }

  @Override
  public String getAssetDirectory() {
    return "plugin-webapp/" + ID;
  }
}
