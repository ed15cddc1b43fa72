package io.airlock.web.pages;

import io.airlock.config.AirlockProperties;
import io.airlock.identity.PortalUsers;
import io.airlock.request.AccessRejectedException;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestNotFoundException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every page has: the signed-in person ({@code me}), and Airlock's refusals as a page that
 * says what happened and what to do next, with the right status and one warning line in the log
 * (never a stack trace, never an engine's words).
 */
@ControllerAdvice(basePackageClasses = PortalAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class PortalAdvice {

  private static final Logger log = LoggerFactory.getLogger(PortalAdvice.class);

  private final PortalUsers users;
  private final AirlockProperties.Groups groups;

  PortalAdvice(PortalUsers users, AirlockProperties properties) {
    this.users = users;
    this.groups = properties.groups();
  }

  @ModelAttribute("me")
  Me me() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null || !auth.isAuthenticated() || "anonymousUser".equals(auth.getName())) {
      return null;
    }
    return Me.of(users.caller(auth), groups);
  }

  @ExceptionHandler(RuntimeException.class)
  String refused(RuntimeException e, Model model, HttpServletResponse response) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      int status = t instanceof InvalidRequestException ? 422
          : t instanceof ForbiddenActionException ? 403
          : t instanceof RequestNotFoundException ? 404
          : t instanceof ConflictingStateException || t instanceof AccessRejectedException ? 409 : 0;
      if (status != 0) {
        String sentence = t instanceof InvalidRequestException x
            ? x.errors().stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "))
            : t.getMessage();
        log.warn("Refused on a page ({}): {}", status, sentence);
        response.setStatus(status);
        // An exception handler's model does not get the @ModelAttribute methods' attributes.
        model.addAttribute("me", me());
        model.addAttribute("status", status);
        model.addAttribute("sentence", sentence);
        return "refused";
      }
    }
    throw e;
  }
}
