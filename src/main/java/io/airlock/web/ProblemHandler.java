package io.airlock.web;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.airlock.request.BeyondPolicyException;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.ForbiddenActionException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestLabels;
import io.airlock.request.RequestNotFoundException;
import io.airlock.identity.StepUpAnswer;
import io.airlock.request.StepUpRequiredException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors as RFC 9457 problem+json, naming what is wrong. Ahead of Spring Boot's own problem
 * details handler, which would answer an unreadable body with a bare "Failed to read request".
 */
@RestControllerAdvice(basePackageClasses = ProblemHandler.class)
@Order(Ordered.HIGHEST_PRECEDENCE + 1) // after the pages' own (web.pages.PortalAdvice), which answer with a page
class ProblemHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  private final org.springframework.beans.factory.ObjectProvider<io.airlock.audit.AuditLog> audit;

  ProblemHandler(org.springframework.beans.factory.ObjectProvider<io.airlock.audit.AuditLog> audit) {
    this.audit = audit;
  }

  /**
   * Airlock's database or the identity provider is away (not the caller's doing): 503 with
   * Airlock's sentence and a Retry-After, never 500; nothing was done, and the attempt is audited
   * (held until the database is back). Anything else is rethrown.
   */
  @ExceptionHandler({org.springframework.transaction.CannotCreateTransactionException.class,
      org.springframework.dao.DataAccessResourceFailureException.class,
      org.springframework.dao.TransientDataAccessResourceException.class,
      org.apache.ibatis.exceptions.PersistenceException.class,
      org.springframework.transaction.TransactionSystemException.class})
  ProblemDetail unavailable(RuntimeException e, jakarta.servlet.http.HttpServletRequest request,
      HttpServletResponse response) {
    ProblemDetail p = outage(e, request, response);
    if (p == null) {
      throw e;
    }
    return p;
  }

  /** The 503 for an outage behind {@code e}, audited; null when {@code e} is no outage. */
  ProblemDetail outage(Throwable e, jakarta.servlet.http.HttpServletRequest request, HttpServletResponse response) {
    io.airlock.identity.Outages.Outage outage = io.airlock.identity.Outages.of(e);
    if (outage == null) {
      return null;
    }
    log.warn("Answered 503, {} is away: {}", outage, e.toString());
    if (request != null) {
      java.security.Principal who = request.getUserPrincipal();
      audit.ifAvailable(a -> io.airlock.identity.Outages.audit(a, who == null ? null : who.getName(), outage, request));
    }
    if (response != null) {
      response.setHeader("Retry-After", "30");
    }
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
        io.airlock.identity.Outages.sentence(outage));
    p.setTitle("Service Unavailable");
    return p;
  }

  @ExceptionHandler(InvalidRequestException.class)
  ProblemDetail invalid(InvalidRequestException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setTitle("Invalid request");
    p.setProperty("errors", e.errors().stream().map(f -> Map.of("field", f.field(), "message", f.message())).toList());
    return p;
  }

  /** Well-formed but beyond what policy allows: 422, naming the field and the allowed maximum. */
  @ExceptionHandler(BeyondPolicyException.class)
  ProblemDetail beyondPolicy(BeyondPolicyException e) {
    ProblemDetail p = invalid(e);
    p.setStatus(422);
    p.setTitle("Beyond what policy allows");
    p.setProperty("maximum", e.maximum().toString());
    p.setProperty("maximumText", RequestLabels.human(e.maximum()));
    return p;
  }

  /** A rework wider than the access it changes: 422, naming the field and where to ask for it as a new request. */
  @ExceptionHandler(io.airlock.request.WiderThanOriginalException.class)
  ProblemDetail widerThanOriginal(io.airlock.request.WiderThanOriginalException e) {
    ProblemDetail p = invalid(e);
    p.setStatus(422);
    p.setTitle("Wider than the original");
    p.setProperty("newRequest", e.newRequest());
    return p;
  }

  /**
   * A body that is not JSON, or not the JSON this endpoint reads: say what and where (line and
   * column, or the field whose value has the wrong type), never which Java type was expected.
   */
  @ExceptionHandler(HttpMessageNotReadableException.class)
  ProblemDetail unreadable(HttpMessageNotReadableException e) {
    String field = "body";
    String message;
    Throwable cause = e.getMostSpecificCause();
    if (cause instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
      field = path(m.getPath());
      message = "has the wrong type" + (m instanceof InvalidFormatException f && f.getValue() != null
          ? " (was '" + f.getValue() + "')" : "") + at(m.getLocation());
    } else if (cause instanceof StreamReadException r) {
      message = (r.getOriginalMessage() == null ? "is not valid JSON" : r.getOriginalMessage()) + at(r.getLocation());
      if (r.getOriginalMessage() != null && r.getOriginalMessage().startsWith("Duplicate field")) {
        message = message.replaceFirst("^Duplicate field", "duplicate key");
      }
    } else if (cause instanceof JsonProcessingException j) {
      message = "is not readable as JSON" + at(j.getLocation());
    } else {
      message = "is missing or not readable as JSON";
    }
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
        "The body is not valid JSON for this endpoint: " + field + " " + message);
    p.setTitle("Invalid request");
    p.setProperty("errors", List.of(Map.of("field", field, "message", message)));
    return p;
  }

  private static String path(List<JsonMappingException.Reference> path) {
    StringBuilder s = new StringBuilder();
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) {
        s.append(s.isEmpty() ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        s.append('[').append(r.getIndex()).append(']');
      }
    }
    return s.isEmpty() ? "body" : s.toString();
  }

  private static String at(JsonLocation location) {
    return location == null || location.getLineNr() < 0 ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  @ExceptionHandler(RequestNotFoundException.class)
  ProblemDetail notFound(RequestNotFoundException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    p.setTitle("Not found");
    return p;
  }

  @ExceptionHandler(ForbiddenActionException.class)
  ProblemDetail forbidden(RuntimeException e, HttpServletResponse response) {
    StepUpRequiredException stepUp = StepUpAnswer.of(e);
    if (stepUp != null) {
      return stepUp(stepUp, response);
    }
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
    p.setTitle("Forbidden");
    return p;
  }

  /**
   * An approval without a recent second factor: 401 with RFC 9470's challenge to a bearer token,
   * 403 naming the step-up page to a browser session. Nothing changed.
   */
  private static ProblemDetail stepUp(StepUpRequiredException e, HttpServletResponse response) {
    boolean bearer = e.missing().bearer();
    ProblemDetail p = ProblemDetail.forStatusAndDetail(bearer ? HttpStatus.UNAUTHORIZED : HttpStatus.FORBIDDEN,
        e.getMessage());
    p.setTitle("Second factor needed");
    p.setProperty("maxAge", e.missing().maxAge().toString());
    if (!e.missing().acrValues().isEmpty()) {
      p.setProperty("acrValues", e.missing().acrValues());
    }
    if (bearer && response != null) {
      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, StepUpAnswer.wwwAuthenticate(e.missing()));
    } else {
      p.setProperty("stepUp", StepUpAnswer.STEP_UP);
    }
    return p;
  }

  /**
   * Two people acted on the same request at the same moment and the database let only one
   * through (a stale engine entity, a lock wait ended by the database, a deadlock victim). The
   * loser's transaction was rolled back whole, so nothing changed: 409, and try again.
   */
  @ExceptionHandler(ConcurrencyFailureException.class)
  ProblemDetail raced(RuntimeException e) {
    log.warn("Lost a race with a concurrent change; answered 409", e);
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, io.airlock.identity.EngineFailures.RACED);
    p.setTitle("Conflict");
    return p;
  }

  @ExceptionHandler(ConflictingStateException.class)
  ProblemDetail conflict(ConflictingStateException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    p.setTitle("Conflict");
    return p;
  }
}
