package dev.rebalancer.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.sim.SimAdminClient;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The invariants of money over the whole history, each judged at its source of truth: the executor's database for
 * runs, the simulator's own counts for orders and cash, the dead-letter topics as Kafka holds them.
 */
final class Invariants {

    private final String executorDb;
    private final String bootstrapServers;
    private final SimAdminClient sim;

    Invariants(String executorDb, String bootstrapServers, SimAdminClient sim) {
        this.executorDb = executorDb;
        this.bootstrapServers = bootstrapServers;
        this.sim = sim;
    }

    /** Runs by request id, as the executor recorded them (request ids are unique there: a request is one run). */
    Map<String, String> runsByRequest() throws SQLException {
        Map<String, String> runs = new HashMap<>();
        try (Connection c = connect(); PreparedStatement select = c.prepareStatement(
                "SELECT request_id, status FROM runs"); ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                runs.put(rows.getString(1), rows.getString(2));
            }
        }
        return runs;
    }

    /** Runs not yet in a final status. */
    List<String> unfinished() throws SQLException {
        List<String> open = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement select = c.prepareStatement(
                "SELECT run_id, account_id, status, request_id FROM runs ORDER BY created_at");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                if (!RunStatus.valueOf(rows.getString(3)).isFinal()) {
                    open.add("run " + rows.getString(1) + " of account " + rows.getString(2) + " (request "
                            + rows.getString(4) + ") is " + rows.getString(3));
                }
            }
        }
        return open;
    }

    /** The deposits of $10 or more that have no run yet. */
    List<Workload.Deposit> awaitingRuns(List<Workload.Deposit> deposits) throws SQLException {
        Map<String, String> runs = runsByRequest();
        return deposits.stream().filter(d -> d.amount().compareTo(Workload.MINIMUM_DEPOSIT) >= 0)
                .filter(d -> !runs.containsKey("deposit:" + d.activityId())).toList();
    }

    Report.Invariant depositsInvested(List<Workload.Deposit> deposits) throws SQLException {
        Map<String, String> runs = runsByRequest();
        List<String> violations = new ArrayList<>();
        for (Workload.Deposit deposit : deposits) {
            boolean invested = runs.containsKey("deposit:" + deposit.activityId());
            boolean due = deposit.amount().compareTo(Workload.MINIMUM_DEPOSIT) >= 0;
            if (due != invested) {
                violations.add(String.format("deposit %s of $%s into %s at %s: %s", deposit.activityId(),
                        deposit.amount(), deposit.accountId(), deposit.at(), due ? "no invest_cash run"
                                : "an invest_cash run for less than the minimum"));
            }
        }
        return new Report.Invariant("deposits_invested", "every deposit of $10 or more produced exactly one "
                + "invest_cash run (request ids are unique in the executor); none below $10", deposits.size(),
                violations);
    }

    Report.Invariant runsFinal() throws SQLException {
        List<String> open = unfinished();
        return new Report.Invariant("runs_final", "every run reached a final status once the system drained",
                runsByRequest().size(), open);
    }

    Report.Invariant ordersOnce(List<String> accounts) {
        List<String> violations = new ArrayList<>();
        long orders = 0;
        for (String account : accounts) {
            SimAdminClient.Submissions submissions = sim.submissions(account);
            orders += submissions.byClientOrderId().size();
            submissions.orderedTwice().forEach(v -> violations.add(account + ": " + v));
        }
        return new Report.Invariant("orders_once", "no POST refused as a duplicate client_order_id, none accepted "
                + "twice (the simulator's counts)", orders, violations);
    }

    Report.Invariant cashNeverNegative(List<String> accounts) {
        List<String> violations = new ArrayList<>();
        for (String account : accounts) {
            JsonNode stats = sim.stats(account);
            BigDecimal lowest = new BigDecimal(stats.get("lowest_cash").asText());
            if (lowest.signum() < 0) {
                violations.add(account + ": cash fell to " + lowest);
            }
        }
        return new Report.Invariant("cash_never_negative", "no account's cash ever below zero (the simulator's lowest)",
                accounts.size(), violations);
    }

    Report.Invariant deadLetters(Map<String, List<String>> poisons) {
        List<String> violations = new ArrayList<>();
        long records = 0;
        Map<String, List<String>> dead = new HashMap<>();
        for (String topic : Topics.ALL) {
            for (ConsumerRecord<String, String> record : readAll(Topics.deadLetterOf(topic))) {
                records++;
                dead.computeIfAbsent(topic, t -> new ArrayList<>()).add(record.value());
                if (!poisons.getOrDefault(topic, List.of()).contains(record.value())) {
                    violations.add(Topics.deadLetterOf(topic) + " holds a record that was not injected: "
                            + abbreviated(record.value()));
                }
            }
        }
        poisons.forEach((topic, values) -> values.forEach(value -> {
            if (!dead.getOrDefault(topic, List.of()).contains(value)) {
                violations.add("the poison message on " + topic + " is in no dead-letter topic");
            }
        }));
        return new Report.Invariant("dead_letters", "nothing in any dead-letter topic but the injected poison "
                + "messages, and each of those there", records, violations);
    }

    private List<ConsumerRecord<String, String>> readAll(String topic) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "chaos-check-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(executorDb, "postgres", "postgres");
    }

    private static String abbreviated(String value) {
        return value == null ? "null" : value.length() <= 200 ? value : value.substring(0, 200) + "…";
    }
}
