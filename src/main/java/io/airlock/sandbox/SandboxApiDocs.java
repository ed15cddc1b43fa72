package io.airlock.sandbox;

import io.swagger.v3.oas.models.info.Info;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Airlock's own pages (the API docs at {@code /swagger-ui.html}) say so in sandbox mode too: the
 * title and description, which Swagger UI shows at the top, name the emulator.
 */
@Component
@ConditionalOnProperty(prefix = "airlock.aws.sandbox", name = "enabled", havingValue = "true")
class SandboxApiDocs implements OpenApiCustomizer {

  static final String TITLE_PREFIX = "SANDBOX: ";

  @Override
  public void customise(io.swagger.v3.oas.models.OpenAPI api) {
    Info info = api.getInfo() == null ? new Info() : api.getInfo();
    String title = info.getTitle() == null ? "Airlock API" : info.getTitle();
    if (!title.startsWith(TITLE_PREFIX)) {
      info.setTitle(TITLE_PREFIX + title);
    }
    info.setDescription("**AWS is emulated** (the Airlock sandbox): no access is granted in real AWS."
        + (info.getDescription() == null ? "" : "\n\n" + info.getDescription()));
    api.setInfo(info);
  }
}
