package io.airlock.request;

/** An approver's answer to a review task. */
public record ReviewDecision(Outcome outcome, String comment) {

  public enum Outcome { APPROVE, DENY }
}
