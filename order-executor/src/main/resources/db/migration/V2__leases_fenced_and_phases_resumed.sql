-- A run's lease is fenced: every claim takes a new generation, and a worker writes only while owner and generation
-- are still its own, so a worker that stalled past its lease cannot write over the one that took the run over.
ALTER TABLE runs ADD COLUMN lease_generation BIGINT NOT NULL DEFAULT 0;
-- The last sign of life of the worker driving the run (renewals, orders sent): how long a phase was interrupted.
ALTER TABLE runs ADD COLUMN active_at TIMESTAMPTZ;
-- The close of the market session the current phase was planned in: a phase resumed after it is planned anew.
ALTER TABLE runs ADD COLUMN session_close TIMESTAMPTZ;
-- Orders open at Alpaca or of unknown fate: a run's next of the same account waits while an ended run left any.
CREATE INDEX run_orders_unsettled ON run_orders (run_id) WHERE state = 'SENDING' OR (state = 'SENT' AND (status IS NULL
    OR status NOT IN ('filled', 'canceled', 'expired', 'rejected', 'replaced', 'done_for_day')));
-- A run that keeps failing is retried with backoff, and ended ERROR once it has failed for longer than the bound.
ALTER TABLE runs ADD COLUMN failing_since TIMESTAMPTZ;
ALTER TABLE runs ADD COLUMN failures INT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN last_error TEXT;
