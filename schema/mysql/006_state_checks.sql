-- Schema v6: the states of SPEC §3 are the only values a status column takes
-- (REFUND_PENDING and VOID_PENDING included), enforced by the database itself
-- (MariaDB >= 10.2 and MySQL >= 8.0.16 enforce CHECK constraints).
ALTER TABLE seats ADD CONSTRAINT seats_status CHECK (status IN ('AVAILABLE', 'HELD', 'SOLD'));
ALTER TABLE reservations ADD CONSTRAINT reservations_status
  CHECK (status IN ('HELD', 'PAID', 'EXPIRED', 'CANCELLED', 'REFUNDED'));
ALTER TABLE payments_main ADD CONSTRAINT payments_status
  CHECK (status IN ('PENDING', 'APPROVED', 'DECLINED', 'FAILED', 'REFUND_PENDING', 'REFUNDED', 'VOID_PENDING',
                    'VOIDED'));
