-- The cash reserve the run's buys were planned to leave (dollars, basis points of equity at the planning prices):
-- the last buy plan's, so that what the account holds after the run can be held to it.
ALTER TABLE runs ADD COLUMN buys_reserve NUMERIC(20, 2);
