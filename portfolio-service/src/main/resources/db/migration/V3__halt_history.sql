-- Every halt and resume, kept: who (the API key, or later the Telegram user), when, why, and the version it made.
CREATE TABLE trading_halt_history (
    version            bigint       PRIMARY KEY,
    halted             boolean      NOT NULL,
    reason             text,
    actor              text         NOT NULL,
    cancel_open_orders boolean      NOT NULL DEFAULT false,
    changed_at         timestamptz  NOT NULL
);
