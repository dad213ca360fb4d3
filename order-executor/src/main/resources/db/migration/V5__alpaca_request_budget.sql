-- One Alpaca request budget per key, shared by every executor replica: the requests each key made, counted per
-- second (a sliding minute is the sum of the last 61 seconds), and until when Alpaca said to wait (a 429, or an answer
-- saying none remain). Keys are known by a hash, never by their id.
CREATE TABLE alpaca_budgets (
    key_hash     TEXT PRIMARY KEY,
    paused_until TIMESTAMPTZ
);

CREATE TABLE alpaca_budget_seconds (
    key_hash TEXT    NOT NULL REFERENCES alpaca_budgets (key_hash),
    second   BIGINT  NOT NULL,
    used     INTEGER NOT NULL,
    PRIMARY KEY (key_hash, second)
);
