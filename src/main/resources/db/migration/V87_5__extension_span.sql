-- An extension (issue 23) says what it extends: the end of the live access it extends
-- (extends_end) and how much more it asks for (extend_by, ISO-8601). Its grant ends at
-- extends_end + extend_by, the end policy judged, however long the review takes. Null for every
-- other request. Runs on H2 and PostgreSQL alike.
ALTER TABLE access_request ADD COLUMN extends_end TIMESTAMP;
ALTER TABLE access_request ADD COLUMN extend_by VARCHAR(32);
