-- Schema v5: an in-flight Idempotency-Key records the instance that claimed it,
-- and every instance keeps a heartbeat row, so a key whose owner died (kill -9)
-- is taken over within seconds instead of after a fixed staleness (issue 12).
ALTER TABLE idempotency_keys ADD COLUMN owner VARBINARY(64) NOT NULL DEFAULT '';
CREATE TABLE instance_heartbeats (
  instance_id VARBINARY(64) NOT NULL PRIMARY KEY,
  seen_at     BIGINT NOT NULL
) ENGINE=InnoDB;
