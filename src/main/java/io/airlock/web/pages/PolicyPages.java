package io.airlock.web.pages;

import io.airlock.identity.PortalUsers;
import io.airlock.policy.PolicyCatalog;
import io.airlock.policy.PolicyReading;
import io.airlock.policy.PolicySimulation;
import io.airlock.proposal.PolicyProposal;
import io.airlock.proposal.PolicyProposals;
import io.airlock.proposal.ProposedFile;
import io.airlock.proposal.StarterPolicies;
import io.airlock.request.Caller;
import io.airlock.request.InvalidRequestException;
import io.airlock.request.RequestNotFoundException;
import io.airlock.request.RequestService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Policy for policy authors (and admins; anyone else is refused by the use cases): the decision
 * tables as deployed, what a person may request, and what a changed table would have decided on
 * past requests ({@link PolicySimulation}: nothing is deployed). There is no Deploy button: a
 * deployment goes through the engine's deploy command from Camunda Modeler, where Airlock's
 * deployment rules hold; the page says how.
 */
@Controller
class PolicyPages {

  /** A DMN file larger than this is not a decision table an analyst edits (as the REST API). */
  static final long MAX_DMN_BYTES = 1024 * 1024;

  private final PolicyReading reading;
  private final PolicySimulation simulation;
  private final RequestService requests;
  private final PortalUsers users;
  private final Words words;

  private final PolicyProposals proposals;
  private final StarterPolicies starters;

  PolicyPages(PolicyReading reading, PolicySimulation simulation, RequestService requests, PortalUsers users,
      Words words, PolicyProposals proposals, StarterPolicies starters) {
    this.proposals = proposals;
    this.starters = starters;
    this.reading = reading;
    this.simulation = simulation;
    this.requests = requests;
    this.users = users;
    this.words = words;
  }

  /** Requests whose outcome would change one way, in words, with links to a few of them. */
  record Change(String sentence, List<Example> examples, int more) {}

  /** A past request the change concerns; {@code link}: the viewer may open it. */
  record Example(String id, String label, boolean link) {}

  /** A policy proposal as the page lists it: words, not states. */
  record ProposalLine(long id, String files, String author, java.time.Instant proposedAt, String standing,
      String simulation, boolean waiting) {

    static ProposalLine of(PolicyProposal p) {
      String files = String.join(", ", PolicyProposals.files(p).stream().map(f -> String.valueOf(f.get("name"))).toList());
      String standing = switch (p.state()) {
        case PROPOSED -> "Waiting for a policy approver other than " + p.author();
        case APPROVED -> "Approved by " + p.reviewer() + "; being put in force";
        case REJECTED -> "Rejected by " + p.reviewer() + ": " + p.reviewComment();
        case IN_FORCE -> "In force since its approval by " + p.reviewer();
        case SUPERSEDED -> "Not put in force: " + p.outcomeReason();
        case EXPIRED -> "Expired: nobody reviewed it in time";
      };
      return new ProposalLine(p.id(), files, p.author(), p.proposedAt(), standing, PolicyProposals.simulationText(p),
          p.state() == PolicyProposal.Status.PROPOSED);
    }
  }

  /** A rule of the changed table that would decide differently. */
  record RuleShift(String table, int row, String annotation, int newly, int noLonger) {}

  @GetMapping("/policy")
  String policy(@RequestParam(required = false) String person, Authentication auth, Model model) {
    Caller caller = users.caller(auth);
    page(caller, person, model);
    return "policy/page";
  }

  @PostMapping("/policy/simulate")
  String simulate(@RequestParam(name = "file", required = false) MultipartFile file, Authentication auth, Model model)
      throws IOException {
    Caller caller = users.caller(auth);
    page(caller, null, model);
    if (file == null || file.isEmpty()) {
      model.addAttribute("fileError", "Choose a DMN file (dmn/access-scopes.dmn or dmn/auto-approval.dmn as you changed it).");
      return "policy/page";
    }
    if (file.getSize() > MAX_DMN_BYTES) {
      model.addAttribute("fileError", "The file has " + file.getSize() + " bytes; a decision table has at most "
          + MAX_DMN_BYTES + ".");
      return "policy/page";
    }
    try {
      PolicySimulation.Report report = simulation.simulate(caller, List.of(file.getBytes()), null);
      model.addAttribute("report", report);
      model.addAttribute("fileName", file.getOriginalFilename());
      model.addAttribute("changes", changes(report, caller));
      model.addAttribute("shifts", report.rules().stream()
          .filter(r -> r.newlyMatches() > 0 || r.noLongerMatches() > 0)
          .map(r -> new RuleShift(tableName(r.decision()), r.row(), r.description(), r.newlyMatches(),
              r.noLongerMatches())).toList());
    } catch (InvalidRequestException e) {
      // What is wrong with the file, at the field (200: the page is the answer).
      model.addAttribute("fileError", String.join("; ", e.errors().stream().map(f -> f.message()).toList()));
    }
    return "policy/page";
  }

  /** One table of the starter policy, to open in Camunda Modeler. */
  @GetMapping("/policy/starter/{file}")
  ResponseEntity<byte[]> starterFile(@PathVariable String file, Authentication auth) {
    ProposedFile f = starters.file(users.caller(auth), file);
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_XML)
        .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + f.name() + "\"").body(f.bytes());
  }

  /** A policy author proposes the starter policy as it is: a proposal like one deployed from Modeler. */
  @PostMapping("/policy/starter/propose")
  String proposeStarter(Authentication auth, RedirectAttributes redirect) {
    PolicyProposal p = starters.propose(users.caller(auth));
    redirect.addFlashAttribute("flash", "You proposed the starter policy as proposal " + p.id() + ". Nothing changes "
        + "until a policy approver other than you approves it in Tasklist; what it would change for past requests "
        + "appears below in a moment.");
    return "redirect:/policy#proposals";
  }

  private void page(Caller caller, String person, Model model) {
    model.addAttribute("tables", reading.deployedTables(caller));
    try {
      model.addAttribute("starter", starters.draft(caller));
    } catch (RequestNotFoundException e) {
      model.addAttribute("starterMissing", e.getMessage());
    }
    model.addAttribute("proposals", proposals.newest(caller, 10).stream().map(ProposalLine::of).toList());
    model.addAttribute("person", person == null ? "" : person.trim());
    if (person != null && !person.isBlank()) {
      PolicyCatalog.Catalog catalog = reading.catalogOf(person, caller).orElse(null);
      model.addAttribute("catalog", catalog);
      model.addAttribute("personError", catalog == null ? "There is no user named “" + person.trim() + "”." : null);
    }
  }

  private List<Change> changes(PolicySimulation.Report report, Caller caller) {
    List<Change> out = new ArrayList<>();
    Map<String, PolicyReading.Judged> judged = reading.asJudged(
        report.flips().stream().flatMap(f -> f.requestIds().stream()).toList(), caller);
    for (PolicySimulation.Flip f : report.flips()) {
      String sentence = f.count() + (f.count() == 1 ? " request would now be " : " requests would now be ")
          + outcome(f.to()) + " instead of " + outcome(f.from());
      List<Example> examples = new ArrayList<>();
      for (String id : f.requestIds()) {
        examples.add(new Example(id, label(judged.get(id)), mayOpen(id, caller)));
      }
      out.add(new Change(sentence, examples, f.count() - f.requestIds().size()));
    }
    for (PolicySimulation.Flip f : report.reviewers()) {
      String sentence = f.count() + (f.count() == 1 ? " request would now be reviewed by " : " requests would now be "
          + "reviewed by ") + (f.to().isEmpty() ? "nobody" : f.to()) + " instead of "
          + (f.from().isEmpty() ? "nobody" : f.from());
      List<Example> examples = new ArrayList<>();
      Map<String, PolicyReading.Judged> more = reading.asJudged(f.requestIds(), caller);
      for (String id : f.requestIds()) {
        examples.add(new Example(id, label(more.get(id)), mayOpen(id, caller)));
      }
      out.add(new Change(sentence, examples, f.count() - f.requestIds().size()));
    }
    return out;
  }

  /** "PowerUserAccess in staging (333333333333) for alice, 30 min, judged 7 Dec 2026 14:00 UTC". */
  private String label(PolicyReading.Judged j) {
    if (j == null) {
      return "a request";
    }
    return j.permission() + " in " + words.account(j.target()) + " for " + j.principal()
        + (j.durationText() == null ? "" : ", " + j.durationText()) + ", judged " + words.utc(j.evaluatedAt());
  }

  /** Policy authors do not read others' requests (a separate power); approvers, auditors and admins do. */
  private boolean mayOpen(String id, Caller caller) {
    try {
      requests.get(id, caller);
      return true;
    } catch (RequestNotFoundException e) {
      return false;
    }
  }

  static String outcome(String code) {
    return PolicySimulation.outcomeWords(code);
  }

  static String tableName(String key) {
    return "access-scopes".equals(key) ? "Scopes" : "auto-approval".equals(key) ? "Auto-approval" : key;
  }
}
