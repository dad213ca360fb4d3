-- Counts the halt switch's changes; every announcement on the control topic carries it.
ALTER TABLE trading_halt ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
