-- Optimistic locking: a write based on a row that changed since it was read fails and is retried, rather than
-- overwriting the change (a subscription deleted meanwhile brought back, a portfolio's new weights announced stale).
ALTER TABLE portfolio ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE subscription ADD COLUMN version bigint NOT NULL DEFAULT 0;
