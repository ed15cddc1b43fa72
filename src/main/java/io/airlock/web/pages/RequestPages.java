package io.airlock.web.pages;

import io.airlock.identity.PortalUsers;
import io.airlock.policy.PolicyCatalog;
import io.airlock.request.AccessRequest;
import io.airlock.request.Caller;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestChanges;
import io.airlock.request.RequestPreview;
import io.airlock.request.RequestService;
import io.airlock.request.RequestStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Requesters' pages: a new request with what policy will do with it before it is filed, the list
 * of their requests, and one request with its timeline in words and what they may do now. Every
 * action goes through the same use cases as the REST API (the domain checks who may); a refusal
 * is a page that says so ({@link PortalAdvice}).
 */
@Controller
class RequestPages {

  private final RequestService requests;
  private final RequestChanges changes;
  private final RequestPreview preview;
  private final PolicyCatalog catalog;
  private final PortalUsers users;

  RequestPages(RequestService requests, RequestChanges changes, RequestPreview preview, PolicyCatalog catalog,
      PortalUsers users) {
    this.requests = requests;
    this.changes = changes;
    this.preview = preview;
    this.catalog = catalog;
    this.users = users;
  }

  @GetMapping("/requests")
  String list(Authentication auth, Model model) {
    model.addAttribute("requests", requests.list(users.caller(auth), true, 200));
    return "requests/list";
  }

  @GetMapping("/requests/new")
  String form(@ModelAttribute("form") RequestForm form, Authentication auth, Model model) {
    Caller caller = users.caller(auth);
    choices(form, caller, model, true);
    forecast(form, caller, model);
    return "requests/new";
  }

  /** The preview as the person fills the form in (htmx): nothing is stored. */
  @PostMapping("/requests/new/preview")
  String preview(@ModelAttribute("form") RequestForm form, Authentication auth, Model model) {
    forecast(form, users.caller(auth), model);
    return "requests/new :: preview";
  }

  private void forecast(RequestForm form, Caller caller, Model model) {
    if (form.getTarget() == null || form.getPermission() == null || form.getDuration() == null) {
      return;
    }
    String justification = form.getJustification();
    if (justification == null || justification.isBlank()) {
      form.setJustification("(preview)"); // not written yet: policy is asked with a placeholder
    }
    try {
      model.addAttribute("forecast", preview.preview(form.toSubmit(), caller));
    } catch (RuntimeException thrown) {
      InvalidRequestException e = invalid(thrown);
      Map<String, String> errors = errors(e);
      errors.remove("justification");
      model.addAttribute("previewErrors", errors);
    } finally {
      form.setJustification(justification);
    }
  }

  @PostMapping("/requests")
  String submit(@ModelAttribute("form") RequestForm form, Authentication auth, Model model,
      RedirectAttributes redirect) {
    Caller caller = users.caller(auth);
    try {
      AccessRequest r = requests.submit(form.toSubmit(), caller);
      redirect.addFlashAttribute("submitted", true);
      return "redirect:/requests/" + r.getId();
    } catch (RuntimeException thrown) {
      // The form again, with what is wrong at each field (200: a browser counts a 4xx page as a failed load).
      InvalidRequestException e = invalid(thrown);
      model.addAttribute("errors", errors(e));
      choices(form, caller, model, false);
      return "requests/new";
    }
  }

  @GetMapping("/requests/{id}")
  String detail(@PathVariable String id, Authentication auth, Model model) {
    Caller caller = users.caller(auth);
    AccessRequest r = requests.get(id, caller);
    model.addAttribute("r", r);
    model.addAttribute("timeline", requests.timeline(id, caller).stream()
        // People's timeline: what people and Airlock did; the engine's own steps are in Cockpit.
        .filter(e -> !e.action().equals("policy.decided") && !e.action().startsWith("process.")).toList());
    model.addAttribute("reviewTask", r.getStatus() == RequestStatus.PENDING_REVIEW
        ? requests.reviewTask(id).orElse(null) : null);
    model.addAttribute("mine", caller.userId().equals(r.getRequester()));
    if (r.getStatus() == RequestStatus.ACTIVE) {
      // Only what policy can allow now, each with its new end.
      model.addAttribute("extensions", changes.extensionOptions(id, caller));
      model.addAttribute("shorter", shorter(r));
    }
    return "requests/detail";
  }

  @PostMapping("/requests/{id}/withdraw")
  String withdraw(@PathVariable String id, @RequestParam(required = false) String reason, Authentication auth,
      RedirectAttributes redirect) {
    requests.withdraw(id, reason, users.caller(auth));
    redirect.addFlashAttribute("flash", "You withdrew the request. Nothing was granted.");
    return "redirect:/requests/" + id;
  }

  @PostMapping("/requests/{id}/end")
  String end(@PathVariable String id, @RequestParam(required = false) String reason, Authentication auth,
      RedirectAttributes redirect) {
    requests.requestRevoke(id, reason, users.caller(auth));
    redirect.addFlashAttribute("flash", "The access is being removed from AWS now; this page shows when it is gone.");
    return "redirect:/requests/" + id;
  }

  @PostMapping("/requests/{id}/clone")
  String cloneRequest(@PathVariable String id, Authentication auth, RedirectAttributes redirect) {
    AccessRequest r = changes.cloneRequest(id, users.caller(auth));
    redirect.addFlashAttribute("submitted", true);
    return "redirect:/requests/" + r.getId();
  }

  @PostMapping("/requests/{id}/extend")
  String extend(@PathVariable String id, @RequestParam(required = false) String by,
      @RequestParam(required = false) String justification, Authentication auth, RedirectAttributes redirect) {
    AccessRequest r = changes.extend(id, by, justification, users.caller(auth));
    redirect.addFlashAttribute("submitted", true);
    return "redirect:/requests/" + r.getId();
  }

  /** The form's choices; {@code fill}: choose the first account, permission and duration where none is chosen. */
  /**
   * How much shorter active access may be made, from now: the usual steps below what is left.
   * (A rework may also narrow the permission over REST; a page offers what cannot widen it.)
   */
  private List<Choices.Option> shorter(AccessRequest r) {
    if (r.getGrantEnd() == null) {
      return List.of();
    }
    java.time.Duration left = java.time.Duration.between(java.time.Instant.now(), r.getGrantEnd());
    return Choices.STEPS.stream().filter(d -> d.compareTo(left) < 0)
        .map(d -> new Choices.Option(d.toString(), io.airlock.request.RequestLabels.human(d) + " from now")).toList();
  }

  @PostMapping("/requests/{id}/rework")
  String rework(@PathVariable String id, @RequestParam(required = false) String duration,
      @RequestParam(required = false) String justification, Authentication auth, RedirectAttributes redirect) {
    AccessRequest r = changes.rework(id, duration, justification, users.caller(auth));
    redirect.addFlashAttribute("submitted", true);
    return "redirect:/requests/" + r.getId();
  }

  private void choices(RequestForm form, Caller caller, Model model, boolean fill) {
    PolicyCatalog.Catalog mine = catalog.forUser(caller);
    Choices choices = Choices.of(mine, form.getTarget(), form.getPermission());
    if (fill && choices.account() == null && !choices.accounts().isEmpty()) {
      form.setTarget(choices.accounts().get(0).id());
      choices = Choices.of(mine, form.getTarget(), form.getPermission());
    }
    if (fill && choices.permission() == null && !choices.permissions().isEmpty()) {
      form.setPermission(choices.permissions().get(0).name());
      choices = Choices.of(mine, form.getTarget(), form.getPermission());
    }
    if (fill && !choices.durations().isEmpty()
        && choices.durations().stream().noneMatch(o -> o.value().equals(form.getDuration()))) {
      form.setDuration(choices.durations().get(Math.min(2, choices.durations().size() - 1)).value());
    }
    model.addAttribute("choices", choices);
    model.addAttribute("principal", mine.principal());
    model.addAttribute("emptyBecause", mine.emptyBecause());
  }

  /** The field errors behind {@code e} (the engine wraps what the process's first step throws); else {@code e} again. */
  static InvalidRequestException invalid(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidRequestException x) {
        return x;
      }
    }
    throw e;
  }

  /** Field → what is wrong with it, for the messages at the fields. */
  static Map<String, String> errors(InvalidRequestException e) {
    Map<String, String> out = new LinkedHashMap<>();
    for (InvalidRequestException.FieldError f : e.errors()) {
      out.merge(f.field().replaceAll("\\[\\d+]$", ""), f.message(), (a, b) -> a + "; " + b); // craft.buckets[2] → craft.buckets
    }
    return out;
  }

  /** Statuses a requester may still withdraw from. */
  static final List<RequestStatus> WITHDRAWABLE = List.of(RequestStatus.PENDING_REVIEW, RequestStatus.SCHEDULED);
}
