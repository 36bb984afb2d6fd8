-- Schema v5: each outbox event carries the W3C trace id of the request that
-- caused it (SPEC §6), so a consumer can follow a sale from the fan's click to
-- the event; NULL for changes the workers make on their own (expiry, reconciler).
ALTER TABLE outbox ADD COLUMN trace_id TEXT;
