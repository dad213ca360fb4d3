-- What Alpaca says of each order beyond its status, so a run's orders are Alpaca order objects field for field:
-- the asset's id, Alpaca's times (created, updated, expired, canceled, failed; when a day order expires), and for an
-- order Alpaca refused at the POST, when it was refused (failed_at). Rows written before stay null until updated.
ALTER TABLE run_orders
    ADD COLUMN asset_id    TEXT,
    ADD COLUMN created_at  TIMESTAMPTZ,
    ADD COLUMN updated_at  TIMESTAMPTZ,
    ADD COLUMN expired_at  TIMESTAMPTZ,
    ADD COLUMN canceled_at TIMESTAMPTZ,
    ADD COLUMN failed_at   TIMESTAMPTZ,
    ADD COLUMN expires_at  TIMESTAMPTZ;
