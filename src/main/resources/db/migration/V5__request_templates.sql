-- Named request templates: a requester saves the values of a request once and files new
-- requests from it (issue: lifecycle, "multiple requests in a day"). Owned by one user.
CREATE TABLE request_template (
  id            VARCHAR(36)   NOT NULL PRIMARY KEY,
  owner         VARCHAR(128)  NOT NULL,
  name          VARCHAR(128)  NOT NULL,
  system        VARCHAR(16)   NOT NULL,
  target        VARCHAR(12)   NOT NULL,
  principal     VARCHAR(128),
  permission    VARCHAR(64)   NOT NULL,
  duration      VARCHAR(32)   NOT NULL,
  justification VARCHAR(1000) NOT NULL,
  ticket        VARCHAR(64),
  created_at    TIMESTAMP     NOT NULL
);

CREATE UNIQUE INDEX request_template_owner_name ON request_template (owner, name);
