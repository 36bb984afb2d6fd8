-- Schema v1 (SQLite dialect). Times are INTEGER milliseconds since the Unix epoch (UTC);
-- money is INTEGER KRW. Every state change bumps `version` and writes one outbox row.

CREATE TABLE concerts (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  title      TEXT NOT NULL
);

CREATE TABLE schedules (
  id                       INTEGER PRIMARY KEY AUTOINCREMENT,
  concert_id               INTEGER NOT NULL REFERENCES concerts(id),
  starts_at                INTEGER NOT NULL,
  sales_open_at            INTEGER NOT NULL,
  sales_close_at           INTEGER NOT NULL,
  admit_per_second         INTEGER NOT NULL,
  max_active               INTEGER NOT NULL,
  active_ttl_seconds       INTEGER NOT NULL,
  waiting_idle_ttl_seconds INTEGER NOT NULL,
  max_seats_per_user       INTEGER NOT NULL
);
CREATE INDEX schedules_by_concert ON schedules(concert_id);

CREATE TABLE seats (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  schedule_id     INTEGER NOT NULL REFERENCES schedules(id),
  section         TEXT NOT NULL,
  row_label       TEXT NOT NULL,
  number          INTEGER NOT NULL,
  grade           TEXT NOT NULL,
  price           INTEGER NOT NULL,
  status          TEXT NOT NULL DEFAULT 'AVAILABLE',
  reservation_id  INTEGER,
  hold_expires_at INTEGER,
  version         INTEGER NOT NULL DEFAULT 0,
  UNIQUE (schedule_id, section, row_label, number)
);
CREATE INDEX seats_by_reservation ON seats(reservation_id);
CREATE INDEX seats_by_hold_expiry ON seats(status, hold_expires_at);

CREATE TABLE reservations (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  schedule_id        INTEGER NOT NULL REFERENCES schedules(id),
  user_id            TEXT NOT NULL,
  status             TEXT NOT NULL,
  amount             INTEGER NOT NULL,
  created_at         INTEGER NOT NULL,
  expires_at         INTEGER NOT NULL,
  pending_payment_id INTEGER,
  idempotency_key    TEXT NOT NULL,
  version            INTEGER NOT NULL DEFAULT 1,
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX reservations_by_status_expiry ON reservations(status, expires_at);
CREATE INDEX reservations_by_user_schedule ON reservations(user_id, schedule_id, status);

-- The seats a reservation asked for, kept after the seats are released so a late
-- approval knows exactly which seats to retake.
CREATE TABLE reservation_seats (
  reservation_id INTEGER NOT NULL REFERENCES reservations(id),
  seat_id        INTEGER NOT NULL REFERENCES seats(id),
  PRIMARY KEY (reservation_id, seat_id)
);

CREATE TABLE payments_main (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  reservation_id  INTEGER NOT NULL REFERENCES reservations(id),
  user_id         TEXT NOT NULL,
  amount          INTEGER NOT NULL,
  status          TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  gateway_tx_id   TEXT UNIQUE,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  version         INTEGER NOT NULL DEFAULT 1,
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX payments_by_reservation ON payments_main(reservation_id);

CREATE TABLE idempotency_keys (
  user_id         TEXT NOT NULL,
  scope           TEXT NOT NULL,
  idem_key        TEXT NOT NULL,
  request_hash    TEXT NOT NULL,
  completed       INTEGER NOT NULL DEFAULT 0,
  response_status INTEGER NOT NULL DEFAULT 0,
  response_body   TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (user_id, scope, idem_key)
);
CREATE INDEX idempotency_by_age ON idempotency_keys(completed, created_at);

CREATE TABLE outbox (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id          TEXT NOT NULL UNIQUE,
  aggregate_type    TEXT NOT NULL,
  aggregate_id      INTEGER NOT NULL,
  aggregate_version INTEGER NOT NULL,
  event_type        TEXT NOT NULL,
  payload           TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  published_at      INTEGER,
  UNIQUE (aggregate_type, aggregate_id, aggregate_version)
);
CREATE INDEX outbox_unpublished ON outbox(published_at, id);
