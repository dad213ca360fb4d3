-- A message may carry a picture (a chart): sent with sendPhoto, its title and lines as the caption.
ALTER TABLE messages ADD COLUMN photo bytea;

-- The console: Telegram's updates are read from next_update_id on; the offset moves in the same transaction that
-- records an update's outcome and queues its reply, so an update is handled once, across restarts and instances.
CREATE TABLE telegram_offset (
    id              int     PRIMARY KEY CHECK (id = 1),
    next_update_id  bigint  NOT NULL
);
INSERT INTO telegram_offset VALUES (1, 0);

-- Every update read, with who sent it and what became of it (answered, ignored and why).
CREATE TABLE console_updates (
    update_id   bigint       PRIMARY KEY,
    chat_id     text,
    user_id     text,
    text        text,
    outcome     text         NOT NULL,
    handled_at  timestamptz  NOT NULL
);

-- /resume asks for a confirmation: the code the user must send back, until when, and the update that used it.
CREATE TABLE console_confirmations (
    update_id     bigint       PRIMARY KEY,  -- the /resume that asked
    user_id       text         NOT NULL,
    code          text         NOT NULL,
    expires_at    timestamptz  NOT NULL,
    confirmed_by  bigint                     -- the /confirm that used it
);

-- The weekly drift report: one a week (its scheduled time), with each account's allocation then, for next week's
-- "since last week".
CREATE TABLE weekly_reports (
    scheduled_for  timestamptz  PRIMARY KEY,
    allocations    text         NOT NULL,  -- JSON: account id -> symbol (or "cash") -> current percent
    composed_at    timestamptz  NOT NULL
);
