-- Reviews in Microsoft Teams (README, "Approve in Microsoft Teams"): where each request's review
-- card is (the Bot Connector's service URL, the conversation and the activity id), so that it is
-- updated for everyone once the request is decided, withdrawn or expires; who last decided it from
-- Teams, so the update says where it was decided; and the ids of the activities already handled,
-- so that one delivered again is refused. Runs on H2 and PostgreSQL.

CREATE TABLE teams_message (
  request_id       VARCHAR(36)   NOT NULL PRIMARY KEY,
  service_url      VARCHAR(512)  NOT NULL,
  conversation_id  VARCHAR(512)  NOT NULL,
  activity_id      VARCHAR(256)  NOT NULL,
  posted_at        TIMESTAMP     NOT NULL,
  decided_by       VARCHAR(128)
);

-- activity_id: the conversation's id (without the thread's ;messageid=...), a space, the activity's id.
CREATE TABLE teams_activity (
  activity_id  VARCHAR(800)  NOT NULL PRIMARY KEY,
  received_at  TIMESTAMP     NOT NULL
);

CREATE INDEX teams_activity_received ON teams_activity (received_at);
