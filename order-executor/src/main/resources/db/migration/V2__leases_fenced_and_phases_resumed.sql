-- A run's lease is fenced: every claim takes a new generation, and a worker writes only while owner and generation
-- are still its own, so a worker that stalled past its lease cannot write over the one that took the run over.
ALTER TABLE runs ADD COLUMN lease_generation BIGINT NOT NULL DEFAULT 0;
-- The last sign of life of the worker driving the run (renewals, orders sent): how long a phase was interrupted.
ALTER TABLE runs ADD COLUMN active_at TIMESTAMPTZ;
-- The close of the market session the current phase was planned in: a phase resumed after it is planned anew.
ALTER TABLE runs ADD COLUMN session_close TIMESTAMPTZ;
