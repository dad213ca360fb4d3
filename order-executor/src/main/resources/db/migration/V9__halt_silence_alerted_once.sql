-- When the switch's silence was last alerted: one alert per silence, however many executors notice it.
ALTER TABLE trading_halt ADD COLUMN silence_alerted_at TIMESTAMPTZ;
