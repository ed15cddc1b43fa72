package io.airlock.context;

import java.util.Optional;

/**
 * Tickets in an issue tracker (Jira, ServiceNow), as policy sees them: whether the ticket a
 * request names is open and whose it is. A port: the policy asks it through
 * {@link PolicyContext}, and {@link TicketWatch} asks it whether a ticket a grant is tied to was
 * resolved.
 */
public interface Tickets {

  /** The tracker's name as people know it ("Jira"). */
  String provider();

  /** Whether this tracker holds tickets written like {@code reference} (INC-123, INC0010001). */
  boolean handles(String reference);

  /**
   * The ticket, or empty when the tracker has none by that reference.
   *
   * @throws FactUnknown when the tracker cannot say (unreachable, too slow, refused the key)
   */
  Optional<Ticket> find(String reference);

  /**
   * A ticket: open or resolved, its status and kind as the tracker names them, whether it is
   * assigned, and its assignee's email ({@code null} when unassigned or not shown to Airlock).
   */
  record Ticket(String reference, boolean open, String status, String kind, boolean assigned, String assigneeEmail) {}
}
