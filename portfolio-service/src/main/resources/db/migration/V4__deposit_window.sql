-- Deposits are read over a window reaching back from the newest activity seen (the watermark), not strictly after a
-- cursor id: an activity posted back-dated, or at the same timestamp as one already seen, is still found. An
-- activity's status is kept, so a deposit Alpaca cancels or corrects after it was announced is noticed.
ALTER TABLE sync_cursor ADD COLUMN watermark timestamptz;
ALTER TABLE seen_activity ADD COLUMN status text NOT NULL DEFAULT 'executed';
