-- Automatic rebalances the volatility filter deferred (rebalancer.deferrals.v1), with the reading that caused each:
-- at most one per account and trading day, recorded once by its event id.
CREATE TABLE rebalance_deferral (
    event_id      TEXT           PRIMARY KEY,
    account_id    TEXT           NOT NULL,
    day           DATE           NOT NULL,
    portfolio_id  TEXT,
    trigger       TEXT           NOT NULL,
    description   TEXT           NOT NULL,
    source        TEXT           NOT NULL,
    reading       NUMERIC        NOT NULL,
    reading_as_of DATE           NOT NULL,
    threshold     NUMERIC        NOT NULL,
    occurred_at   TIMESTAMPTZ    NOT NULL,
    recorded_at   TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX rebalance_deferral_account_day ON rebalance_deferral (account_id, day DESC);
