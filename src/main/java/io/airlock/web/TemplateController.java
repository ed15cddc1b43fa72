package io.airlock.web;

import io.airlock.identity.CurrentUser;
import io.airlock.request.AccessRequest;
import io.airlock.request.CraftSpec;
import io.airlock.request.SubmitRequest;
import io.airlock.request.template.RequestTemplate;
import io.airlock.request.template.RequestTemplates;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Named request templates of the signed-in user. */
@RestController
@Tag(name = "Request templates")
class TemplateController {

  private final RequestTemplates templates;

  TemplateController(RequestTemplates templates) {
    this.templates = templates;
  }

  /** A template's name and the request values it keeps (principal empty: yourself). */
  record TemplateBody(String name, String system, String target, String principal, String permission, String duration,
      String justification, String ticket, CraftSpec craft) {}

  /** Name of a template saved from a request. */
  record NameBody(String name) {}

  @PostMapping("/api/templates")
  @Operation(summary = "Save request values as a named template of yours",
      description = "Checked as a request would be: 400 problem+json naming each wrong field.")
  ResponseEntity<RequestTemplate> save(@RequestBody(required = false) TemplateBody body, Authentication auth) {
    TemplateBody b = body == null ? new TemplateBody(null, null, null, null, null, null, null, null, null) : body;
    RequestTemplate t = templates.save(b.name(), new SubmitRequest(b.system(), b.target(), b.principal(),
        b.permission(), b.duration(), b.justification(), b.ticket(), b.craft()), CurrentUser.of(auth));
    return ResponseEntity.created(URI.create("/api/templates/" + t.id())).body(t);
  }

  @PostMapping("/api/requests/{id}/template")
  @Operation(summary = "Save the values of a request you may read as a named template of yours")
  ResponseEntity<RequestTemplate> saveFromRequest(@PathVariable String id, @RequestBody(required = false) NameBody body,
      Authentication auth) {
    RequestTemplate t = templates.saveFromRequest(id, body == null ? null : body.name(), CurrentUser.of(auth));
    return ResponseEntity.created(URI.create("/api/templates/" + t.id())).body(t);
  }

  @GetMapping("/api/templates")
  @Operation(summary = "Your templates, by name")
  List<RequestTemplate> mine(Authentication auth) {
    return templates.mine(CurrentUser.of(auth));
  }

  @PostMapping("/api/templates/{id}/requests")
  @Operation(summary = "File a new request from one of your templates",
      description = "201 with the request, which goes through validation, policy and review as any other.")
  ResponseEntity<RequestView> file(@PathVariable String id, Authentication auth) {
    AccessRequest r = templates.file(id, CurrentUser.of(auth));
    return ResponseEntity.created(URI.create("/api/requests/" + r.getId())).body(RequestView.of(r));
  }

  @DeleteMapping("/api/templates/{id}")
  @Operation(summary = "Delete one of your templates")
  ResponseEntity<Void> delete(@PathVariable String id, Authentication auth) {
    templates.delete(id, CurrentUser.of(auth));
    return ResponseEntity.noContent().build();
  }
}
