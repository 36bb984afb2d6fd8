-- Schema v4: the states of SPEC §3 are the only values a status column takes
-- (REFUND_PENDING and VOID_PENDING included). SQLite cannot add a CHECK to an
-- existing table, so triggers refuse any other value on insert and on update.
CREATE TRIGGER seats_status_insert BEFORE INSERT ON seats
WHEN NEW.status NOT IN ('AVAILABLE', 'HELD', 'SOLD')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: seats.status'); END;
CREATE TRIGGER seats_status_update BEFORE UPDATE OF status ON seats
WHEN NEW.status NOT IN ('AVAILABLE', 'HELD', 'SOLD')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: seats.status'); END;
CREATE TRIGGER reservations_status_insert BEFORE INSERT ON reservations
WHEN NEW.status NOT IN ('HELD', 'PAID', 'EXPIRED', 'CANCELLED', 'REFUNDED')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: reservations.status'); END;
CREATE TRIGGER reservations_status_update BEFORE UPDATE OF status ON reservations
WHEN NEW.status NOT IN ('HELD', 'PAID', 'EXPIRED', 'CANCELLED', 'REFUNDED')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: reservations.status'); END;
CREATE TRIGGER payments_main_status_insert BEFORE INSERT ON payments_main
WHEN NEW.status NOT IN ('PENDING', 'APPROVED', 'DECLINED', 'FAILED', 'REFUND_PENDING', 'REFUNDED', 'VOID_PENDING', 'VOIDED')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: payments_main.status'); END;
CREATE TRIGGER payments_main_status_update BEFORE UPDATE OF status ON payments_main
WHEN NEW.status NOT IN ('PENDING', 'APPROVED', 'DECLINED', 'FAILED', 'REFUND_PENDING', 'REFUNDED', 'VOID_PENDING', 'VOIDED')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: payments_main.status'); END;
