-- The live instances of the service (runtime Membership): each renews its row every heartbeat; the accounts are
-- divided among the rows' instances and the oldest leads. A row not renewed within the expiry is a lost instance's.
CREATE TABLE service_instance (
    service       text         NOT NULL,
    instance_id   text         NOT NULL,
    started_at    timestamptz  NOT NULL,
    heartbeat_at  timestamptz  NOT NULL,
    PRIMARY KEY (service, instance_id)
);
