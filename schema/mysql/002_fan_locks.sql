-- One row per fan and schedule, locked by each hold transaction of that fan
-- (INSERT ... ON DUPLICATE KEY UPDATE), so concurrent holds of one fan cannot
-- both pass the maxSeatsPerUser check. SQLite needs none: its writer lock
-- already serialises write transactions.
CREATE TABLE fan_locks (
  schedule_id BIGINT NOT NULL,
  user_id     VARCHAR(128) NOT NULL,
  PRIMARY KEY (schedule_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
