package io.airlock.config;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The front door: {@code /} leads to Tasklist, where requesters and approvers work; Tasklist
 * shows its own sign-in page to a browser that is not signed in. (Camunda's own index redirect,
 * to the Welcome page, is off in application.yaml; the Welcome page stays at
 * {@code /camunda/app/welcome/}.)
 */
@Configuration(proxyBeanMethods = false)
class FrontDoor implements WebMvcConfigurer {

  static final String TASKLIST = "/camunda/app/tasklist/";

  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    registry.addRedirectViewController("/", TASKLIST);
  }
}
