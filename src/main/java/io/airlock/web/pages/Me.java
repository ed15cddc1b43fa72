package io.airlock.web.pages;

import io.airlock.config.AirlockProperties;
import io.airlock.request.Caller;

/**
 * The signed-in person as the pages see them: who they are and which pages are theirs. The
 * pages only show or hide links by these; every use case checks the caller again.
 */
public record Me(Caller caller, boolean approver, boolean auditor, boolean operator, boolean admin,
    boolean policyAuthor, boolean policyApprover) {

  static Me of(Caller caller, AirlockProperties.Groups g) {
    return new Me(caller, caller.inAnyGroup(java.util.List.of(g.approvers())),
        caller.inAnyGroup(java.util.List.of(g.auditors())), caller.inAnyGroup(java.util.List.of(g.operators())),
        caller.inAnyGroup(java.util.List.of(g.admins())), caller.inAnyGroup(java.util.List.of(g.policyAuthors())),
        caller.inAnyGroup(java.util.List.of(g.policyApprovers())));
  }

  /** The policy page: its authors, the approvers of their proposals, admins. */
  public boolean policy() {
    return policyAuthor || policyApprover || admin;
  }

  public String userId() {
    return caller.userId();
  }

  /** Who has what: auditors, operators, admins. */
  public boolean explorer() {
    return auditor || operator || admin;
  }

  public boolean tasklist() {
    return !caller.groups().isEmpty();
  }

  public boolean cockpit() {
    return operator || auditor || admin;
  }
}
