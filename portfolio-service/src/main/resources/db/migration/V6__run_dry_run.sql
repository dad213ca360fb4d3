-- A run of a dry-run account: its planned orders are skipped orders (reason DRY_RUN), never Alpaca orders.
ALTER TABLE run ADD COLUMN dry_run boolean NOT NULL DEFAULT false;
