-- Alpaca's FILL activities of each account: executions of orders the rebalancer did not send (made elsewhere, a
-- dividend reinvested), read into the ledger of fills; those of its own orders are its order rows already.
CREATE TABLE fill_activities (
    account_id  TEXT           NOT NULL,
    activity_id TEXT           NOT NULL,
    order_id    TEXT,
    symbol      TEXT           NOT NULL,
    side        TEXT           NOT NULL,
    qty         NUMERIC(30, 9) NOT NULL,
    price       NUMERIC(20, 9) NOT NULL,
    at          TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (account_id, activity_id)
);
