#!/usr/bin/env bash
# The fault-injection soak:
#   bash testing/chaos/run.sh [--minutes N] [--seed S]
# Builds what it needs, then runs Kafka and PostgreSQL as processes of their own (killed and restarted in place), the
# Alpaca simulator, two instances of each service and a fake Telegram Bot API, under a seeded workload and a seeded
# schedule of faults; then heals everything, lets the system drain and judges the invariants over the whole history.
# The report is printed and written to target/chaos/report.json; the exit status is 0 only when every invariant held.
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -ntp -pl testing/chaos,portfolio-service,drift-monitor,order-executor,notifier -am install -DskipTests
./mvnw -B -q -ntp -pl testing/chaos dependency:build-classpath -Dmdep.outputFile=target/chaos-classpath.txt
exec java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -cp "testing/chaos/target/classes:$(cat testing/chaos/target/chaos-classpath.txt)" dev.rebalancer.chaos.Chaos "$@"
