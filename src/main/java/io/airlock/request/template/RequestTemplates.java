package io.airlock.request.template;

import io.airlock.audit.AuditLog;
import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.ConflictingStateException;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.InvalidRequestException.FieldError;
import io.airlock.request.PrincipalMapping;
import io.airlock.request.RequestNotFoundException;
import io.airlock.request.RequestService;
import io.airlock.request.RequestValidator;
import io.airlock.request.SubmitRequest;
import io.airlock.request.TextRules;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Named request templates of one user: save the values of a request (or of a request already
 * filed) once, file new requests from them. A template is checked like a request when saved;
 * each request filed from it goes through validation, policy and review again.
 */
@Service
public class RequestTemplates {

  static final int MAX_PER_USER = 100;

  private final RequestTemplateMapper templates;
  private final RequestValidator validator;
  private final RequestService requests;
  private final AuditLog audit;
  private final PrincipalMapping principals;
  private final Clock clock;

  RequestTemplates(RequestTemplateMapper templates, RequestValidator validator, RequestService requests, AuditLog audit,
      PrincipalMapping principals, Clock clock) {
    this.principals = principals;
    this.templates = templates;
    this.validator = validator;
    this.requests = requests;
    this.audit = audit;
    this.clock = clock;
  }

  /** Saves {@code values} as the caller's template {@code name}; 400 naming each wrong field. */
  @Transactional
  public RequestTemplate save(String name, SubmitRequest values, Caller caller) {
    List<FieldError> errors = new java.util.ArrayList<>();
    if (name == null || name.isBlank()) {
      errors.add(new FieldError("name", "is required: how you will find the template"));
    } else if (name.length() > 128) {
      errors.add(new FieldError("name", "must be at most 128 characters"));
    } else {
      TextRules.check("name", name).ifPresent(errors::add);
      if (errors.isEmpty() && templates.countByName(caller.userId(), name.trim()) > 0) {
        errors.add(new FieldError("name", "you already have a template named '" + name.trim() + "'"));
      }
    }
    if (templates.findByOwner(caller.userId()).size() >= MAX_PER_USER) {
      errors.add(new FieldError("name", "you have " + MAX_PER_USER + " templates already; delete one first"));
    }
    boolean forYourself = values != null && (values.principal() == null || values.principal().isBlank());
    try {
      // Checked as a request would be (an empty principal stands for the owner when filed).
      validator.validate(values == null || !forYourself ? values : new SubmitRequest(values.system(), values.target(),
          principals.identityCenterNameOf(caller.userId()), values.permission(), values.duration(),
          values.justification(), values.ticket(), values.craft()));
    } catch (InvalidRequestException e) {
      errors.addAll(e.errors());
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    RequestTemplate t = new RequestTemplate(UUID.randomUUID().toString(), caller.userId(), name.trim(), values.system(),
        values.target(), forYourself ? null : values.principal(), values.craft() == null ? values.permission() : null, values.duration().trim(),
        values.justification().trim(), values.ticket() == null || values.ticket().isBlank() ? null : values.ticket().trim(),
        clock.instant(), values.craft() == null ? null : values.craft().toJson());
    templates.insert(t);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("templateId", t.id());
    details.put("name", t.name());
    details.put("target", t.target());
    details.put("permission", t.permission() != null ? t.permission() : "craft:" + values.craft().template());
    details.put("duration", t.duration());
    audit.record(caller.userId(), "template.saved", null, details);
    return t;
  }

  /** Saves the values of a request the caller may read as their template {@code name}. */
  @Transactional
  public RequestTemplate saveFromRequest(String requestId, String name, Caller caller) {
    AccessRequest r = requests.get(requestId, caller);
    if (r.isCrafted() && r.getCraftSpec() == null) {
      throw new ConflictingStateException("Request " + requestId + " asks for a crafted policy and was filed before "
          + "Airlock kept craft parameters; save the template with them");
    }
    return save(name, r.submitValues(), caller);
  }

  @Transactional(readOnly = true)
  public List<RequestTemplate> mine(Caller caller) {
    return templates.findByOwner(caller.userId());
  }

  /** Files a new request from the caller's template: validated, decided by policy, reviewed as any. */
  @Transactional
  public AccessRequest file(String templateId, Caller caller) {
    RequestTemplate t = owned(templateId, caller);
    return requests.submit(t.values(null), caller);
  }

  @Transactional
  public void delete(String templateId, Caller caller) {
    owned(templateId, caller);
    templates.deleteOwned(templateId, caller.userId());
    audit.record(caller.userId(), "template.deleted", null, Map.of("templateId", templateId));
  }

  /** Another user's template is not found (its existence is not confirmed). */
  private RequestTemplate owned(String templateId, Caller caller) {
    return templates.findOwned(templateId, caller.userId()).orElseThrow(() -> new RequestNotFoundException(
        "No request template with id " + templateId, true));
  }
}
