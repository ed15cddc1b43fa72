package io.airlock.identity;

import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Turns what the engine throws into what Airlock's own API and pages answer (web knows no
 * engine type): the domain refusal a listener or guard threw inside it; the engine's own
 * authorization refusal as a {@link ForbiddenActionException}; a lost race as Spring's
 * {@link OptimisticLockingFailureException} (409); an outage as a
 * {@link DataAccessResourceFailureException} (503). The result goes through the usual exception
 * handlers (web's ProblemHandler, the pages' advice); anything else stays as it was.
 */
@Configuration(proxyBeanMethods = false)
public class EngineExceptionTranslation implements WebMvcConfigurer {

  @Override
  public void extendHandlerExceptionResolvers(List<HandlerExceptionResolver> resolvers) {
    List<HandlerExceptionResolver> usual = List.copyOf(resolvers);
    resolvers.add(0, new HandlerExceptionResolver() {
      @Override
      public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
          Exception e) {
        RuntimeException translated = translate(e);
        if (translated == null) {
          return null;
        }
        for (HandlerExceptionResolver r : usual) {
          ModelAndView answer = r.resolveException(request, response, handler, translated);
          if (answer != null) {
            return answer;
          }
        }
        return null;
      }
    });
  }

  /** What {@code e} means in Airlock's terms; null when it is no engine failure or means nothing more. */
  public static RuntimeException translate(Throwable e) {
    if (!(e instanceof ProcessEngineException)) {
      return null;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InvalidRequestException || t instanceof ForbiddenActionException
          || t instanceof ConflictingStateException || t instanceof RequestNotFoundException) {
        return (RuntimeException) t;
      }
      if (t instanceof AuthorizationException) {
        // The engine's sentence without its log code ("ENGINE-03110 Required admin ..."): a person reads it.
        String message = t.getMessage() == null ? "You may not do this"
            : t.getMessage().replaceFirst("^ENGINE-\\d+\\s*", "");
        ForbiddenActionException refused = new ForbiddenActionException(message);
        refused.initCause(t);
        return refused;
      }
    }
    if (EngineFailures.lostRace(e)) {
      return new OptimisticLockingFailureException(EngineFailures.RACED, e);
    }
    if (Outages.of(e) != null) {
      return new DataAccessResourceFailureException(e.getMessage(), e);
    }
    return null;
  }
}
