-- Access tied to the ticket it names (airlock.context.tickets.end-with-ticket): when the ticket
-- was open as policy judged the request, Airlock ends the access once the tracker says the
-- ticket is resolved, or at its end, whichever comes first (context/TicketWatch).
CREATE TABLE request_ticket (
  request_id   VARCHAR(36)  NOT NULL PRIMARY KEY,
  reference    VARCHAR(64)  NOT NULL,
  provider     VARCHAR(32)  NOT NULL,
  tied_at      TIMESTAMP    NOT NULL,
  checked_at   TIMESTAMP,
  resolved_at  TIMESTAMP
);

CREATE INDEX request_ticket_unresolved ON request_ticket (resolved_at, reference);
