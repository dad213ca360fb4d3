-- The daily balance check: each account's end-of-day snapshot (equity, cash, positions at the close), the base the
-- next day's check predicts from. One row per account and trading day: a check is made once, whichever instance.
CREATE TABLE end_of_day (
    account_id   text         NOT NULL,
    trading_day  date         NOT NULL,
    equity       numeric      NOT NULL,
    cash         numeric      NOT NULL,
    positions    text         NOT NULL,  -- JSON [{"symbol","qty","price"}]
    taken_at     timestamptz  NOT NULL,
    outcome      text         NOT NULL,  -- first_snapshot, balanced, findings
    findings     text         NOT NULL,  -- JSON array of lines
    PRIMARY KEY (account_id, trading_day)
);
