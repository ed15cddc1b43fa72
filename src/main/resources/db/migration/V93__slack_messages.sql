-- Reviews in Slack (README, "Approve in Slack"): where each request's review message is (Slack's
-- channel and message timestamp), so that it is updated for everyone once the request is decided,
-- withdrawn or expires; and who last decided it from Slack, so the update says where it was
-- decided. No foreign key: the message outlives nothing of the request. Runs on H2 and PostgreSQL.

CREATE TABLE slack_message (
  request_id    VARCHAR(36)   NOT NULL PRIMARY KEY,
  channel       VARCHAR(64)   NOT NULL,
  ts            VARCHAR(32)   NOT NULL,
  posted_at     TIMESTAMP     NOT NULL,
  decided_by    VARCHAR(128)
);
