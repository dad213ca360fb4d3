-- Beside Alpaca's run shape: the loss a tax_loss_harvest run realised (first in, first out, the executor's lots).
ALTER TABLE run ADD COLUMN harvested_loss NUMERIC(20, 2);
