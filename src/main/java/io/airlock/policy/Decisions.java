package io.airlock.policy;

/** The keys of the policy's decision tables (dmn/): the process and every reader refer to these. */
public final class Decisions {

  /** Who may ask for what, for how long, and who approves: {@code dmn/access-scopes.dmn}. */
  public static final String ACCESS_SCOPES = "access-scopes";
  /** Whether a request is approved or denied without a person: {@code dmn/auto-approval.dmn}. */
  public static final String AUTO_APPROVAL = "auto-approval";

  private Decisions() {}
}
