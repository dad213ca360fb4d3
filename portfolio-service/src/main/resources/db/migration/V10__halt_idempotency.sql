-- A halt or resume asked with an Idempotency-Key (the notifier sends the Telegram update's id) is made once: the same
-- key again changes nothing. requested_by: on whose behalf an API client asked (a Telegram user), kept in the actor.
ALTER TABLE trading_halt_history ADD COLUMN idempotency_key text UNIQUE;
