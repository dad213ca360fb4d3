-- What people are to be told, stored before the event that asked for it is acknowledged.
CREATE TABLE notifications (
    seq          BIGSERIAL   PRIMARY KEY,
    event_id     TEXT        NOT NULL UNIQUE,
    severity     TEXT        NOT NULL,
    account_id   TEXT,
    run_id       TEXT,
    title        TEXT        NOT NULL,
    lines        TEXT        NOT NULL,  -- JSON array of plain-text lines below the title
    received_at  TIMESTAMPTZ NOT NULL,
    message_id   BIGINT                 -- the message that carries it, once composed
);
CREATE INDEX notifications_pending ON notifications (seq) WHERE message_id IS NULL;

-- What goes to Telegram, in id order: one notification, or a digest of a burst. Sent part by part (each at most 4096
-- characters); parts_sent survives a restart, so no part goes twice and none is lost.
CREATE TABLE messages (
    id               BIGSERIAL   PRIMARY KEY,
    title            TEXT        NOT NULL,
    lines            TEXT        NOT NULL,
    parts_sent       INT         NOT NULL DEFAULT 0,
    plain_text       BOOLEAN     NOT NULL DEFAULT FALSE,
    attempts         INT         NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    delivered_at     TIMESTAMPTZ
);
CREATE INDEX messages_undelivered ON messages (id) WHERE delivered_at IS NULL;
