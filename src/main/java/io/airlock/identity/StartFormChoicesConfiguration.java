package io.airlock.identity;

import io.airlock.config.AirlockProperties;
import io.airlock.policy.PolicyCatalog;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers {@link StartFormChoicesFilter} on the webapps' engine API, where Tasklist reads start forms. */
@Configuration(proxyBeanMethods = false)
class StartFormChoicesConfiguration {

  @Bean
  FilterRegistrationBean<StartFormChoicesFilter> startFormChoices(PolicyCatalog catalog, AirlockProperties properties) {
    FilterRegistrationBean<StartFormChoicesFilter> registration =
        new FilterRegistrationBean<>(new StartFormChoicesFilter(catalog, properties.request().minDuration()));
    registration.addUrlPatterns(StartFormChoicesFilter.PREFIX + "*");
    registration.setName("airlockStartFormChoices");
    return registration;
  }
}
