package io.airlock.web;

import io.airlock.explorer.Explorer;
import io.airlock.explorer.PermissionMapping;
import io.airlock.identity.CurrentUser;
import io.airlock.request.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The explorer for auditors, operators and admins: who has which permission set in which
 * account, granted by Airlock or standing, filtered, as JSON or downloaded as JSON or CSV.
 */
@RestController
@RequestMapping("/api/explorer")
@Tag(name = "Explorer")
class ExplorerController {

  private final Explorer explorer;

  ExplorerController(Explorer explorer) {
    this.explorer = explorer;
  }

  @GetMapping
  @Operation(summary = "Who has what now (auditors, operators, admins): Airlock's grants live, standing access "
      + "from the last scan",
      description = "Airlock's own grants come from its requests as they are granted and revoked (source AIRLOCK, "
          + "with requestId, endsAt and breakGlass); standing access from the last scan (source STANDING, with "
          + "scannedAt), less what Airlock or a drift run removed since. Filters: principal (user or group name or "
          + "id), group (a group's name or id: the group and its members), account (12 digits), permission (name or "
          + "ARN), source (AIRLOCK or STANDING). format=json or csv downloads them; Accept: text/csv answers CSV.")
  ResponseEntity<?> explore(@RequestParam(required = false) String principal,
      @RequestParam(required = false) String group, @RequestParam(required = false) String account,
      @RequestParam(required = false) String permission, @RequestParam(required = false) String source,
      @RequestParam(required = false) String format,
      @RequestHeader(name = HttpHeaders.ACCEPT, required = false) String accept, Authentication auth) {
    List<InvalidRequestException.FieldError> errors = new ArrayList<>();
    if (account != null && !account.isBlank() && !account.trim().matches("\\d{12}")) {
      errors.add(new InvalidRequestException.FieldError("account", "must be a 12-digit AWS account id"));
    }
    PermissionMapping.Source src = null;
    if (source != null && !source.isBlank()) {
      try {
        src = PermissionMapping.Source.valueOf(source.trim());
      } catch (IllegalArgumentException e) {
        errors.add(new InvalidRequestException.FieldError("source", "must be AIRLOCK or STANDING"));
      }
    }
    if (format != null && !List.of("json", "csv").contains(format)) {
      errors.add(new InvalidRequestException.FieldError("format", "must be json or csv"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(errors);
    }
    Explorer.Result result = explorer.explore(new Explorer.Query(blank(principal), blank(group), blank(account),
        blank(permission), src), CurrentUser.of(auth));
    if ("csv".equals(format) || (format == null && wantsCsv(accept))) {
      StringBuilder out = new StringBuilder("principalType,principalId,principalName,accountId,accountName,"
          + "permissionSetArn,permissionSetName,managedPolicies,inlinePolicy,source,requestId,endsAt,requestStatus,"
          + "breakGlass,scannedAt\n");
      for (PermissionMapping m : result.mappings()) {
        out.append(String.join(",", AuditController.csv(m.principalType()), AuditController.csv(m.principalId()),
            AuditController.csv(m.principalName()), AuditController.csv(m.accountId()),
            AuditController.csv(m.accountName()), AuditController.csv(m.permissionSetArn()),
            AuditController.csv(m.permissionSetName()), AuditController.csv(String.join(" ", m.managedPolicies())),
            AuditController.csv(m.inlinePolicy()), m.source().name(), AuditController.csv(m.requestId()),
            m.endsAt() == null ? "" : m.endsAt().toString(), AuditController.csv(m.requestStatus()),
            String.valueOf(m.breakGlass()), m.scannedAt() == null ? "" : m.scannedAt().toString())).append('\n');
      }
      return attachment("explorer.csv").contentType(MediaType.parseMediaType("text/csv")).body(out.toString());
    }
    if ("json".equals(format)) {
      return attachment("explorer.json").contentType(MediaType.APPLICATION_JSON).body(result);
    }
    return ResponseEntity.ok(result);
  }

  /**
   * Whether an Accept header prefers CSV: it names {@code text/csv} with a quality above that of
   * any JSON type it names ({@code text/csv}, {@code text/csv, application/json;q=0.5}).
   */
  static boolean wantsCsv(String accept) {
    if (accept == null || accept.isBlank()) {
      return false;
    }
    double csv = 0;
    double json = 0;
    try {
      for (MediaType t : MediaType.parseMediaTypes(accept)) {
        if ("text".equals(t.getType()) && "csv".equals(t.getSubtype())) {
          csv = Math.max(csv, t.getQualityValue());
        } else if (!t.isWildcardType() && !t.isWildcardSubtype() && t.isCompatibleWith(MediaType.APPLICATION_JSON)) {
          json = Math.max(json, t.getQualityValue());
        }
      }
    } catch (org.springframework.http.InvalidMediaTypeException e) {
      return false;
    }
    return csv > 0 && csv > json;
  }

  private static ResponseEntity.BodyBuilder attachment(String name) {
    return ResponseEntity.ok().header("Content-Disposition", "attachment; filename=\"" + name + "\"");
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
