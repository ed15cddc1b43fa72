package io.airlock.web.pages;

import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The portal's sign-in: a password form with Camunda's users; with Keycloak, off to Keycloak. */
@Controller
class SignInPage {

  private final boolean keycloak;

  SignInPage(Environment environment) {
    this.keycloak = environment.acceptsProfiles(Profiles.of("keycloak"));
  }

  @GetMapping("/sign-in")
  String signIn(Authentication auth) {
    if (keycloak) {
      return "redirect:/oauth2/authorization/keycloak";
    }
    return auth != null && auth.isAuthenticated() ? "redirect:/" : "sign-in";
  }
}
