-- The book: portfolios, subscriptions, accounts, runs, and what the service has already seen and announced.

CREATE TABLE portfolio (
    id                   uuid         PRIMARY KEY,
    name                 text         NOT NULL,
    description          text,
    status               text         NOT NULL,
    cooldown_days        integer      NOT NULL CHECK (cooldown_days >= 0),
    weights              jsonb        NOT NULL,
    rebalance_conditions jsonb,
    created_at           timestamptz  NOT NULL,
    updated_at           timestamptz  NOT NULL
);

CREATE TABLE subscription (
    id                 uuid         PRIMARY KEY,
    account_id         text         NOT NULL,
    portfolio_id       uuid         NOT NULL REFERENCES portfolio (id),
    created_at         timestamptz  NOT NULL,
    last_rebalanced_at timestamptz,
    deleted_at         timestamptz
);
-- Alpaca: one active subscription per account.
CREATE UNIQUE INDEX subscription_one_active_per_account ON subscription (account_id) WHERE deleted_at IS NULL;
CREATE INDEX subscription_portfolio ON subscription (portfolio_id) WHERE deleted_at IS NULL;

CREATE TABLE account (
    account_id     text         PRIMARY KEY,
    name           text         NOT NULL UNIQUE,
    account_number text,
    mode           text         NOT NULL,
    dry_run        boolean      NOT NULL,
    base_url       text         NOT NULL,
    snapshot       jsonb,
    snapshot_at    timestamptz,
    created_at     timestamptz  NOT NULL
);

CREATE TABLE run (
    id              text         PRIMARY KEY,
    account_id      text         NOT NULL,
    portfolio_id    uuid,
    request_id      text         NOT NULL UNIQUE,
    type            text         NOT NULL,
    amount          numeric(19, 2),
    initiated_from  text         NOT NULL,
    status          text         NOT NULL,
    reason          text,
    weights         jsonb        NOT NULL,
    orders          jsonb        NOT NULL,
    failed_orders   jsonb        NOT NULL,
    skipped_orders  jsonb        NOT NULL,
    created_at      timestamptz  NOT NULL,
    updated_at      timestamptz  NOT NULL,
    completed_at    timestamptz,
    canceled_at     timestamptz
);
CREATE INDEX run_account_created ON run (account_id, created_at);

-- Every Alpaca cash activity announced, so that none is announced twice across restarts and overlapping polls.
CREATE TABLE seen_activity (
    activity_id   text         PRIMARY KEY,
    account_id    text         NOT NULL,
    activity_type text         NOT NULL,
    amount        numeric(19, 2) NOT NULL,
    seen_at       timestamptz  NOT NULL
);

CREATE TABLE sync_cursor (
    account_id       text  NOT NULL,
    activity_type    text  NOT NULL,
    last_activity_id text  NOT NULL,
    PRIMARY KEY (account_id, activity_type)
);

-- Events consumed, for idempotent consumers.
CREATE TABLE processed_event (
    event_id     text         PRIMARY KEY,
    processed_at timestamptz  NOT NULL
);

CREATE TABLE trading_halt (
    id         integer      PRIMARY KEY CHECK (id = 1),
    halted     boolean      NOT NULL,
    reason     text,
    updated_at timestamptz  NOT NULL
);

-- Events written in the same transaction as the change they announce; the relay publishes and deletes them.
-- A null payload is a tombstone.
CREATE TABLE outbox (
    id          bigserial    PRIMARY KEY,
    topic       text         NOT NULL,
    message_key text         NOT NULL,
    payload     text,
    created_at  timestamptz  NOT NULL
);

INSERT INTO trading_halt (id, halted, reason, updated_at) VALUES (1, false, NULL, now());
