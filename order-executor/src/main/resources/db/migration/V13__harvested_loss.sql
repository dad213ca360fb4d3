-- A tax_loss_harvest run's realised loss, first in, first out from the ledger: recorded when it completes.
ALTER TABLE runs ADD COLUMN harvested_loss NUMERIC(20, 2);
