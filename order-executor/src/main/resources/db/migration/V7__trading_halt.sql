-- One name for the trading halt everywhere (contracts' TradingHalt, portfolio-service's trading_halt table).
ALTER TABLE trading_control RENAME TO trading_halt;
