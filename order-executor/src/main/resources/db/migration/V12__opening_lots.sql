-- What an account held that its ledger of fills does not explain (positions from before the rebalancer, buys made
-- elsewhere), recorded the first time a plan sees it: a buy of the ledger's own at Alpaca's average entry price then,
-- so that the tax lots stay the same after the position is sold. Dated the epoch when the ledger had no fill of the
-- security before (its history is unknown: old), else when it was seen.
CREATE TABLE opening_lots (
    account_id TEXT           NOT NULL,
    symbol     TEXT           NOT NULL,
    qty        NUMERIC(30, 9) NOT NULL,
    price      NUMERIC(20, 9) NOT NULL,
    at         TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (account_id, symbol, at)
);
