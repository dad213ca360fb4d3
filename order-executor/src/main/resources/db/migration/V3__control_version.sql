-- The version of the halt state applied: an older one arriving later is ignored.
ALTER TABLE trading_control ADD COLUMN version BIGINT;
