#!/usr/bin/env bash
# Runs the benchmarks (all, or those named):
#   bash testing/bench/run.sh [drift-throughput] [deposit-to-request] [rebalance-20] [deposit-to-first-buy] \
#       [deposit-burst] [backtest] [-Dbench.<property>=<value> ...]
# Arguments that begin with -D are system properties of the benchmark JVM (e.g. -Dbench.burst.sizes=1000;
# -Dbench.require-targets=true makes a benchmark short of its target fail the run, as CI does with the backtest's).
# Builds what it needs, starts a real Kafka broker, PostgreSQL and the Alpaca simulator inside the benchmark JVM (and
# the order executor as a process of its own), and stops them on exit.
# Each benchmark writes target/bench/<name>.json and prints one "BENCH ..." line at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -ntp -pl testing/bench,portfolio-service,drift-monitor,order-executor,notifier,backtest -am install -DskipTests
./mvnw -B -q -ntp -pl testing/bench dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
mkdir -p target/bench
properties=()
names=()
for arg in "$@"; do
    case "$arg" in
        -D*) properties+=("$arg") ;;
        *) names+=("$arg") ;;
    esac
done
# Log as the services do (JBoss LogManager, INFO): without it Kafka formats every TRACE line it then drops.
exec java -Xmx2g -Djava.util.logging.manager=org.jboss.logmanager.LogManager "${properties[@]}" -cp "testing/bench/target/classes:$(cat testing/bench/target/bench-classpath.txt)" \
    dev.rebalancer.bench.Bench "${names[@]}"
