package io.airlock.web.pages;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.explorer.Explorer;
import io.airlock.explorer.PermissionMapping;
import io.airlock.identity.PortalUsers;
import io.airlock.inventory.Inventory;
import io.airlock.inventory.InventoryService;
import io.airlock.request.Caller;
import io.airlock.web.ExplorerExport;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * "Who has what" for auditors, operators and admins: the explorer ({@link Explorer#explore}, which
 * refuses anyone else and audits the refusal) as a table in words, filtered by a GET form, with
 * the same data downloadable as CSV and JSON under the portal's own path (the portal's session does
 * not reach {@code /api}).
 */
@Controller
class ExplorerPages {

  private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
      .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private final Explorer explorer;
  private final InventoryService inventory;
  private final PortalUsers users;

  ExplorerPages(Explorer explorer, InventoryService inventory, PortalUsers users) {
    this.explorer = explorer;
    this.inventory = inventory;
    this.users = users;
  }

  /** The filters as the form sends them; blank is "any". */
  public static class Filter {
    private String person;
    private String group;
    private String account;
    private String permission;
    private String source;

    public String getPerson() { return person; }
    public void setPerson(String person) { this.person = person; }
    public String getGroup() { return group; }
    public void setGroup(String group) { this.group = group; }
    public String getAccount() { return account; }
    public void setAccount(String account) { this.account = account; }
    public String getPermission() { return permission; }
    public void setPermission(String permission) { this.permission = permission; }
    public String getSource() { return source; }
    public void setSource(String source) { this.source = source; }

    boolean any() {
      return blank(person) != null || blank(group) != null || blank(account) != null || blank(permission) != null
          || blank(source) != null;
    }

    Explorer.Query query() {
      PermissionMapping.Source src = null;
      if ("AIRLOCK".equals(blank(source)) || "STANDING".equals(blank(source))) {
        src = PermissionMapping.Source.valueOf(source.trim());
      }
      return new Explorer.Query(blank(person), blank(group), blank(account), blank(permission), src);
    }
  }

  /** One row as the page shows it: the mapping, and whether Airlock granted it as break-glass. */
  record Row(PermissionMapping m, boolean breakGlass) {
    public boolean airlock() {
      return m.source() == PermissionMapping.Source.AIRLOCK;
    }
  }

  @GetMapping("/explorer")
  String explorer(@ModelAttribute("filter") Filter filter, Authentication auth, Model model) {
    Caller caller = users.caller(auth);
    Explorer.Result result = explorer.explore(filter.query(), caller);
    model.addAttribute("rows", result.mappings().stream().map(m -> new Row(m, m.breakGlass())).toList());
    model.addAttribute("scannedAt", result.scannedAt());
    model.addAttribute("filtered", filter.any());
    model.addAttribute("accounts", inventory.accounts().stream()
        .sorted(Comparator.comparing(a -> a.name() == null ? a.accountId() : a.name().toLowerCase(Locale.ROOT)))
        .toList());
    model.addAttribute("permissions", inventory.permissionSets().stream().filter(p -> !p.crafted())
        .map(Inventory.PermissionSet::name).sorted().toList());
    model.addAttribute("query", query(filter));
    return "explorer/list";
  }

  @GetMapping("/explorer/download")
  ResponseEntity<String> download(@ModelAttribute Filter filter, @RequestParam(defaultValue = "csv") String format,
      Authentication auth) throws java.io.IOException {
    Explorer.Result result = explorer.explore(filter.query(), users.caller(auth));
    boolean json = "json".equals(format);
    String body = json ? JSON.writeValueAsString(result) : ExplorerExport.csv(result.mappings());
    return ResponseEntity.ok()
        .contentType(json ? MediaType.APPLICATION_JSON : MediaType.parseMediaType("text/csv;charset=UTF-8"))
        .header("Content-Disposition", "attachment; filename=\"who-has-what." + (json ? "json" : "csv") + "\"")
        .body(body);
  }

  /** The filter as a query string for the download links ("" when none). */
  private static String query(Filter f) {
    StringBuilder q = new StringBuilder();
    append(q, "person", f.getPerson());
    append(q, "group", f.getGroup());
    append(q, "account", f.getAccount());
    append(q, "permission", f.getPermission());
    append(q, "source", f.getSource());
    return q.toString();
  }

  private static void append(StringBuilder q, String name, String value) {
    if (blank(value) != null) {
      q.append('&').append(name).append('=').append(java.net.URLEncoder.encode(value.trim(),
          java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
