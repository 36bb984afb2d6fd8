-- Schema v4: the reconciler lists payments left in a *_PENDING state (SPEC §3)
-- oldest first; without this index every tick would scan payments_main.
CREATE INDEX payments_by_status_updated ON payments_main (status, updated_at);
