-- Schema v1 (MySQL 8 / MariaDB >= 10.6 dialect, InnoDB). Same tables and meaning as
-- schema/sqlite/001_init.sql: times are BIGINT milliseconds since the epoch (UTC),
-- money is BIGINT KRW, every state change bumps `version` and writes one outbox row.

CREATE TABLE concerts (
  id    BIGINT AUTO_INCREMENT PRIMARY KEY,
  title VARCHAR(200) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE schedules (
  id                       BIGINT AUTO_INCREMENT PRIMARY KEY,
  concert_id               BIGINT NOT NULL,
  starts_at                BIGINT NOT NULL,
  sales_open_at            BIGINT NOT NULL,
  sales_close_at           BIGINT NOT NULL,
  admit_per_second         INT NOT NULL,
  max_active               INT NOT NULL,
  active_ttl_seconds       INT NOT NULL,
  waiting_idle_ttl_seconds INT NOT NULL,
  max_seats_per_user       INT NOT NULL,
  KEY schedules_by_concert (concert_id),
  CONSTRAINT schedules_concert FOREIGN KEY (concert_id) REFERENCES concerts(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE seats (
  id              BIGINT AUTO_INCREMENT PRIMARY KEY,
  schedule_id     BIGINT NOT NULL,
  section         VARCHAR(64) NOT NULL,
  row_label       VARCHAR(16) NOT NULL,
  number          INT NOT NULL,
  grade           VARCHAR(32) NOT NULL,
  price           BIGINT NOT NULL,
  status          VARCHAR(16) NOT NULL DEFAULT 'AVAILABLE',
  reservation_id  BIGINT NULL,
  hold_expires_at BIGINT NULL,
  version         BIGINT NOT NULL DEFAULT 0,
  UNIQUE KEY seats_place (schedule_id, section, row_label, number),
  KEY seats_by_reservation (reservation_id),
  KEY seats_by_hold_expiry (status, hold_expires_at),
  CONSTRAINT seats_schedule FOREIGN KEY (schedule_id) REFERENCES schedules(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE reservations (
  id                 BIGINT AUTO_INCREMENT PRIMARY KEY,
  schedule_id        BIGINT NOT NULL,
  user_id            VARCHAR(128) NOT NULL,
  status             VARCHAR(16) NOT NULL,
  amount             BIGINT NOT NULL,
  created_at         BIGINT NOT NULL,
  expires_at         BIGINT NOT NULL,
  pending_payment_id BIGINT NULL,
  idempotency_key    VARCHAR(200) NOT NULL,
  version            BIGINT NOT NULL DEFAULT 1,
  UNIQUE KEY reservations_key (user_id, idempotency_key),
  KEY reservations_by_status_expiry (status, expires_at),
  KEY reservations_by_user_schedule (user_id, schedule_id, status),
  KEY reservations_by_schedule (schedule_id),
  CONSTRAINT reservations_schedule FOREIGN KEY (schedule_id) REFERENCES schedules(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE reservation_seats (
  reservation_id BIGINT NOT NULL,
  seat_id        BIGINT NOT NULL,
  PRIMARY KEY (reservation_id, seat_id),
  KEY reservation_seats_by_seat (seat_id),
  CONSTRAINT reservation_seats_reservation FOREIGN KEY (reservation_id) REFERENCES reservations(id),
  CONSTRAINT reservation_seats_seat FOREIGN KEY (seat_id) REFERENCES seats(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE payments_main (
  id              BIGINT AUTO_INCREMENT PRIMARY KEY,
  reservation_id  BIGINT NOT NULL,
  user_id         VARCHAR(128) NOT NULL,
  amount          BIGINT NOT NULL,
  status          VARCHAR(16) NOT NULL,
  idempotency_key VARCHAR(200) NOT NULL,
  gateway_tx_id   VARCHAR(128) NULL,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  version         BIGINT NOT NULL DEFAULT 1,
  UNIQUE KEY payments_key (user_id, idempotency_key),
  UNIQUE KEY payments_gateway_tx (gateway_tx_id),
  KEY payments_by_reservation (reservation_id),
  CONSTRAINT payments_reservation FOREIGN KEY (reservation_id) REFERENCES reservations(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE idempotency_keys (
  user_id         VARCHAR(128) NOT NULL,
  scope           VARCHAR(32) NOT NULL,
  idem_key        VARCHAR(200) NOT NULL,
  request_hash    CHAR(64) NOT NULL,
  completed       TINYINT NOT NULL DEFAULT 0,
  response_status INT NOT NULL DEFAULT 0,
  response_body   MEDIUMTEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (user_id, scope, idem_key),
  KEY idempotency_by_age (completed, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE outbox (
  id                BIGINT AUTO_INCREMENT PRIMARY KEY,
  event_id          VARCHAR(128) NOT NULL,
  aggregate_type    VARCHAR(32) NOT NULL,
  aggregate_id      BIGINT NOT NULL,
  aggregate_version BIGINT NOT NULL,
  event_type        VARCHAR(64) NOT NULL,
  payload           MEDIUMTEXT NOT NULL,
  created_at        BIGINT NOT NULL,
  published_at      BIGINT NULL,
  UNIQUE KEY outbox_event_id (event_id),
  UNIQUE KEY outbox_change (aggregate_type, aggregate_id, aggregate_version),
  KEY outbox_unpublished (published_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
