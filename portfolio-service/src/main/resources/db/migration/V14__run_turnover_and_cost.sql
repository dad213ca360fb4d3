-- Beside Alpaca's run shape: the dollars a run's orders filled for, and what they cost by the portfolio's trade costs.
ALTER TABLE run ADD COLUMN turnover NUMERIC(20, 2);
ALTER TABLE run ADD COLUMN estimated_cost NUMERIC(20, 2);
