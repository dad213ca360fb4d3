-- Each message dead-lettered, by its position (runtime's DeadLettered): a message Kafka hands again after a crash or a
-- rebalance finds its position here and is not dead-lettered, nor told, twice.
CREATE TABLE dead_lettered (
    topic            TEXT        NOT NULL,
    kafka_partition  INT         NOT NULL,
    kafka_offset     BIGINT      NOT NULL,
    dead_lettered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, kafka_partition, kafka_offset)
);
