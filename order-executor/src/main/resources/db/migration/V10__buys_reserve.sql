-- The cash reserve the run's buys were planned to leave (dollars, basis points of equity at the planning prices): the
-- smallest of its buy plans' (LEAST ignores NULL), so that what the account holds after the run can be held to it —
-- each plan's buys leave at least its own reserve, on what earlier ones left.
ALTER TABLE runs ADD COLUMN buys_reserve NUMERIC(20, 2);
