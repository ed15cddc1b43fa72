package io.airlock.config;

import jakarta.ws.rs.Path;
import org.camunda.bpm.cockpit.plugin.resource.AbstractCockpitPluginRootResource;

/** Serves the plugin's page script: {@code /camunda/api/cockpit/plugin/airlock/static/app/plugin.js}. */
@Path("plugin/" + AirlockCockpitPlugin.ID)
public class AirlockCockpitPluginRootResource extends AbstractCockpitPluginRootResource {

  public AirlockCockpitPluginRootResource() {
    super(AirlockCockpitPlugin.ID);
  }
}
