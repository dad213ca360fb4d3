-- One outbox table definition for every service (runtime's Outbox): the key column is message_key, as in
-- portfolio-service's, and a null payload is a tombstone. Renaming keeps every row not yet published.
ALTER TABLE outbox RENAME COLUMN key TO message_key;
ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL;
