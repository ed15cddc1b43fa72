package io.airlock.web;

import io.airlock.identity.CurrentUser;
import io.airlock.policy.PolicyCatalog;
import io.airlock.policy.PolicySimulation;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.InvalidRequestException.FieldError;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/** Policy as people ask about it: what may I request, and what would a changed table change. */
@RestController
@Tag(name = "Policy")
class PolicyController {

  /** A DMN file larger than this is not a decision table an analyst edits. */
  static final int MAX_DMN_BYTES = 1024 * 1024;

  private final PolicyCatalog catalog;
  private final PolicySimulation simulation;

  PolicyController(PolicyCatalog catalog, PolicySimulation simulation) {
    this.catalog = catalog;
    this.simulation = simulation;
  }

  @GetMapping("/api/catalog")
  @Operation(summary = "What you may request: the accounts (with names) and, in each, the permissions your groups "
      + "may ask for yourself, with the scope, the longest duration and who approves; evaluated with the "
      + "deployed scopes table (dmn/access-scopes.dmn)")
  PolicyCatalog.Catalog catalog(Authentication auth) {
    return catalog.forUser(CurrentUser.of(auth));
  }

  @PostMapping(path = "/api/policies/simulate", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(summary = "Simulate candidate decision tables (policy authors, admins)",
      description = "Multipart: one or more DMN files (any part name; dmn/access-scopes.dmn and/or "
          + "dmn/auto-approval.dmn as edited). Replays the recorded inputs of the last `limit` requests "
          + "(default airlock.policy.simulation-limit, 1000) and reports which outcomes would flip and, per rule, "
          + "how many requests it newly matches. Nothing is deployed. 400 problem+json naming what is wrong.")
  PolicySimulation.Report simulateMultipart(MultipartHttpServletRequest request,
      @RequestParam(required = false) Integer limit, Authentication auth) throws IOException {
    List<byte[]> files = new ArrayList<>();
    for (List<MultipartFile> parts : request.getMultiFileMap().values()) {
      for (MultipartFile part : parts) {
        files.add(limited(part.getSize(), part.getOriginalFilename()) ? part.getBytes() : null);
      }
    }
    return simulation.simulate(CurrentUser.of(auth), files, limit);
  }

  @PostMapping(path = "/api/policies/simulate", consumes = {MediaType.APPLICATION_XML_VALUE, MediaType.TEXT_XML_VALUE,
      "application/dmn+xml"})
  @Operation(summary = "Simulate one candidate DMN file sent as the body (policy authors, admins)")
  PolicySimulation.Report simulateXml(@RequestBody(required = false) byte[] body,
      @RequestParam(required = false) Integer limit, Authentication auth) {
    if (body != null) {
      limited(body.length, "body");
    }
    return simulation.simulate(CurrentUser.of(auth), body == null ? List.of() : List.of(body), limit);
  }

  private static boolean limited(long size, String name) {
    if (size > MAX_DMN_BYTES) {
      throw new InvalidRequestException(List.of(new FieldError(name == null ? "file" : name,
          "is " + size + " bytes; a DMN file may have at most " + MAX_DMN_BYTES)));
    }
    return true;
  }
}
