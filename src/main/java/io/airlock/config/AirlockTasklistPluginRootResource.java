package io.airlock.config;

import jakarta.ws.rs.Path;
import org.camunda.bpm.tasklist.resource.AbstractTasklistPluginRootResource;

/** Serves the plugin's script: {@code /camunda/api/tasklist/plugin/airlock-requests/static/app/plugin.js}. */
@Path("plugin/" + AirlockTasklistPlugin.ID)
public class AirlockTasklistPluginRootResource extends AbstractTasklistPluginRootResource {

  public AirlockTasklistPluginRootResource() {
    super(AirlockTasklistPlugin.ID);
  }
}
