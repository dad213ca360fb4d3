-- A portfolio's opt-in strategies (contracts' Strategies, as JSON), beside Alpaca's shape: null when it has none.
ALTER TABLE portfolio ADD COLUMN strategies jsonb;
