-- The flow watchdog (FlowWatchdog): every rebalance request seen on Kafka, so that one no executor answered with a
-- run is told to the owner once; and, on runs, when a stalled run was told.
CREATE TABLE flow_request (
    request_id    text         PRIMARY KEY,
    account_id    text         NOT NULL,
    run_id        text         NOT NULL,
    type          text         NOT NULL,
    requested_at  timestamptz  NOT NULL,
    seen_at       timestamptz  NOT NULL DEFAULT now(),
    alerted_at    timestamptz
);
CREATE INDEX flow_request_unanswered ON flow_request (seen_at) WHERE alerted_at IS NULL;

ALTER TABLE run ADD COLUMN stall_alerted_at timestamptz;
