-- One outbox table definition for every service (runtime's Outbox): rows are written by plain JDBC, which leaves
-- created_at to the database. Rows not yet published stay as they are.
ALTER TABLE outbox ALTER COLUMN created_at SET DEFAULT now();
