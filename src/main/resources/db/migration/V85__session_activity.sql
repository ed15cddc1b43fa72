-- Session activity: what the principal did with a grant, i.e. their CloudTrail events in the
-- target account from the grant's start to its end plus an hour (sessions outlive a revoke),
-- as Airlock last fetched them with LookupEvents. One summary row per request, replaced with
-- its events at every fetch; complete once the window (plus CloudTrail's delivery delay) had
-- closed when it was fetched.
CREATE TABLE session_activity (
  request_id    VARCHAR(36)   NOT NULL PRIMARY KEY,
  account_id    VARCHAR(12)   NOT NULL,
  username      VARCHAR(128)  NOT NULL,
  regions       VARCHAR(512)  NOT NULL,
  window_start  TIMESTAMP     NOT NULL,
  window_end    TIMESTAMP     NOT NULL,
  fetched_at    TIMESTAMP     NOT NULL,
  fetched_by    VARCHAR(128)  NOT NULL,
  complete      BOOLEAN       NOT NULL,
  event_count   INT           NOT NULL,
  truncated     BOOLEAN       NOT NULL,
  lookups       INT           NOT NULL,
  error         VARCHAR(1000)
);

CREATE TABLE session_activity_event (
  request_id        VARCHAR(36)    NOT NULL,
  event_id          VARCHAR(128)   NOT NULL,
  region            VARCHAR(32)    NOT NULL,
  event_time        TIMESTAMP      NOT NULL,
  event_source      VARCHAR(128)   NOT NULL,
  event_name        VARCHAR(128)   NOT NULL,
  read_only         VARCHAR(8),
  username          VARCHAR(256),
  access_key_id     VARCHAR(128),
  resources         VARCHAR(4000),
  cloudtrail_event  VARCHAR(100000),
  PRIMARY KEY (request_id, event_id)
);

CREATE INDEX session_activity_event_time ON session_activity_event (request_id, event_time);
