-- Schema v3: user ids (JWT subs) and Idempotency-Keys compare byte for byte, as
-- they do in SQLite (SPEC §4b: two different subs are always two users). The
-- utf8mb4_general_ci columns of v1 made ALICE and alice one user, with one seat
-- limit and each other's stored answers; every PAD SPACE collation (MariaDB's and
-- MySQL's utf8mb4_bin included) would still make 'a' and 'a ' one. VARBINARY
-- compares bytes on both servers. The limits are the verifier's: a sub is 1..128
-- bytes, a key 1..200 visible ASCII characters. Narrowing the comparison cannot
-- create duplicates in the unique keys, so the conversion never fails on them.
ALTER TABLE reservations MODIFY user_id VARBINARY(128) NOT NULL, MODIFY idempotency_key VARBINARY(200) NOT NULL;
ALTER TABLE payments_main MODIFY user_id VARBINARY(128) NOT NULL, MODIFY idempotency_key VARBINARY(200) NOT NULL;
ALTER TABLE idempotency_keys MODIFY user_id VARBINARY(128) NOT NULL, MODIFY idem_key VARBINARY(200) NOT NULL;
ALTER TABLE fan_locks MODIFY user_id VARBINARY(128) NOT NULL;
