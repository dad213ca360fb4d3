-- Runs as Alpaca's rebalancer names them, driven from here by the workers; one row per rebalance request.
CREATE TABLE runs (
    seq              BIGSERIAL   NOT NULL UNIQUE,          -- arrival order: first in, first out per account
    run_id           TEXT        PRIMARY KEY,
    request_id       TEXT        NOT NULL UNIQUE,          -- a request is a run once, however often it arrives
    account_id       TEXT        NOT NULL,
    request          TEXT        NOT NULL,                 -- the rebalance request as it came (JSON)
    status           TEXT        NOT NULL,
    phase            TEXT,                                 -- SELLS, BUYS while IN_PROGRESS
    reason           TEXT,
    dry_run          BOOLEAN     NOT NULL DEFAULT FALSE,
    skipped          TEXT        NOT NULL DEFAULT '[]',    -- skipped orders (JSON), Alpaca's shape
    cancel_requested BOOLEAN     NOT NULL DEFAULT FALSE,
    not_before       TIMESTAMPTZ,                          -- queued until then (market closed)
    phase_started_at TIMESTAMPTZ,                          -- the fill timeout counts from here
    lease_owner      TEXT,                                 -- the executor instance driving it ...
    lease_until      TIMESTAMPTZ,                          -- ... until then, unless it renews
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    completed_at     TIMESTAMPTZ,
    canceled_at      TIMESTAMPTZ
);
CREATE INDEX runs_unfinished ON runs (account_id, seq) WHERE status IN ('QUEUED', 'IN_PROGRESS');

-- Every order a run plans, written before it is sent: the client_order_id is the key, so nothing goes out twice.
CREATE TABLE run_orders (
    client_order_id  TEXT        PRIMARY KEY,
    run_id           TEXT        NOT NULL REFERENCES runs (run_id),
    phase            TEXT        NOT NULL,
    position         INT         NOT NULL,
    symbol           TEXT        NOT NULL,
    side             TEXT        NOT NULL,
    qty              NUMERIC(30, 9),
    notional         NUMERIC(20, 2),
    state            TEXT        NOT NULL,                 -- PLANNED, SENDING, SENT, REJECTED, DRY_RUN
    alpaca_id        TEXT,
    status           TEXT,                                 -- Alpaca's order status once known
    filled_qty       NUMERIC(30, 9),
    filled_avg_price NUMERIC(20, 4),
    reason           TEXT,                                 -- Alpaca's message for a rejected order
    submitted_at     TIMESTAMPTZ,
    filled_at        TIMESTAMPTZ
);
CREATE INDEX run_orders_run ON run_orders (run_id, phase, position);

-- Events announcing a change, written in the change's transaction and relayed to Kafka.
CREATE TABLE outbox (
    id         BIGSERIAL   PRIMARY KEY,
    topic      TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    payload    TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The halt switch as last heard on the control topic.
CREATE TABLE trading_control (
    id         INT         PRIMARY KEY CHECK (id = 1),
    halted     BOOLEAN     NOT NULL,
    reason     TEXT,
    event_id   TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
