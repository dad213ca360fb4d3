#!/usr/bin/env bash
# The whole system on this machine, with one command:
#   deploy/local/run.sh        Kafka (KRaft), PostgreSQL, the Alpaca paper-broker simulator (or real Alpaca paper when
#                              ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY are set) and the four services, on 127.0.0.1.
#                              Ctrl-C or SIGTERM stops everything.
#   deploy/local/run.sh demo   On the running stack: a portfolio, a subscription, a $1,000 deposit, and what follows.
#   deploy/local/run.sh backtest (--portfolio p.json | --portfolio-id ID) (--prices closes.csv | --alpaca) [...]
#                              What policies would have done on past prices (README, "Backtests"); needs no stack
#                              (--portfolio-id reads the portfolio from the running portfolio-service).
# Builds what it needs first (only a JDK 17+ is required; the Maven wrapper fetches the rest).
# Environment: PORTFOLIO_SERVICE_PORT (8080), DRIFT_MONITOR_PORT (8081), ORDER_EXECUTOR_PORT (8082), NOTIFIER_PORT
# (8083), ALPACA_SIM_PORT (8090); REBALANCER_API_KEY / REBALANCER_API_SECRET (local-key / local-secret);
# TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID; REBALANCER_LOCAL_DIR (target/local). Anything else reaches the services.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

MODULES="deploy/local,portfolio-service,drift-monitor,order-executor,notifier"
STAMP="deploy/local/target/.built"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Built already, and no source or POM changed since? Otherwise build (tests are for ./mvnw verify).
needs_build() {
  [ -f "$STAMP" ] || return 0
  [ -n "$(find . \( -name target -o -name .git -o -name node_modules \) -prune -o -type f \
      \( -path '*/src/*' -o -name pom.xml \) -newer "$STAMP" -print -quit)" ]
}

# REBALANCER_NO_BUILD=1: use the jars as they are (the end-to-end suite, right after the build).
if [ "${REBALANCER_NO_BUILD:-}" = 1 ]; then
  [ -f deploy/local/target/local-stack.jar ] || { echo "REBALANCER_NO_BUILD=1, but nothing is built yet" >&2; exit 1; }
elif needs_build; then
  echo "[local-stack] building the services (first time: a few minutes) ..."
  ./mvnw -q -B -DskipTests -pl "$MODULES" -am package
  touch "$STAMP"
fi

CLASSPATH="deploy/local/target/local-stack.jar:deploy/local/target/lib/*"
case "${1:-}" in
  "")   exec "$JAVA" -Xmx768m -cp "$CLASSPATH" dev.rebalancer.local.LocalStackMain ;;
  demo) exec "$JAVA" -Xmx256m -cp "$CLASSPATH" dev.rebalancer.local.Demo ;;
  backtest) shift; exec "$JAVA" -Xmx1g -cp "$CLASSPATH" dev.rebalancer.backtest.BacktestMain "$@" ;;
  *)    echo "usage: $0 [demo | backtest (--portfolio <file.json> | --portfolio-id <id>) (--prices <closes.csv> | --alpaca) ...]" >&2; exit 2 ;;
esac
