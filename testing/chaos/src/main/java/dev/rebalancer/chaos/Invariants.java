package dev.rebalancer.chaos;

import dev.rebalancer.testing.infra.FakeBotApi;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventFormatException;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.local.LocalStack;
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

    /** How long an order may have been on its way to Alpaca when a halt was recorded: the services' request timeout. */
    private static final Duration IN_FLIGHT = Duration.ofSeconds(10);

    private final String executorDb;
    private final String notifierDb;
    private final String bootstrapServers;
    private final LocalStack stack;
    private final SimAdminClient sim;
    private final int accounts;
    private List<JsonNode> simOrders;
    private final Map<String, JsonNode> simStats = new HashMap<>();

    Invariants(String executorDb, String notifierDb, String bootstrapServers, LocalStack stack, int accounts) {
        this.executorDb = executorDb;
        this.notifierDb = notifierDb;
        this.bootstrapServers = bootstrapServers;
        this.stack = stack;
        this.sim = stack.simulator();
        this.accounts = accounts;
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

    /**
     * Every deposit of $10 or more into an account that has an active subscription on an active portfolio has exactly
     * one invest_cash run, and no other deposit has one; the deposits {@code notOwed} excuses (by account: no active
     * subscription, portfolio not active) are counted apart.
     */
    Report.Invariant depositsInvested(List<Workload.Deposit> deposits, Map<String, String> notOwed)
            throws SQLException {
        Map<String, String> runs = runsByRequest();
        List<String> violations = new ArrayList<>();
        Map<String, Long> due = new HashMap<>();
        Map<String, Long> excused = new java.util.TreeMap<>(Map.of(Workload.NO_SUBSCRIPTION, 0L,
                Workload.PORTFOLIO_NOT_ACTIVE, 0L));
        for (Workload.Deposit deposit : deposits) {
            boolean invested = runs.containsKey("deposit:" + deposit.activityId());
            String excuse = notOwed.get(deposit.accountId());
            if (excuse != null) {
                excused.merge(excuse, 1L, Long::sum);
            }
            boolean owed = excuse == null && deposit.amount().compareTo(Workload.MINIMUM_DEPOSIT) >= 0;
            if (owed) {
                due.merge(deposit.accountId(), 1L, Long::sum);
            }
            if (owed != invested) {
                violations.add(String.format("deposit %s of $%s into %s at %s: %s", deposit.activityId(),
                        deposit.amount(), deposit.accountId(), deposit.at(), owed ? "no invest_cash run"
                                : "an invest_cash run for less than the minimum"));
            }
        }
        // One run per deposit, counted too: a second run for the same cash under another request id is a violation.
        investCashRuns().forEach((account, count) -> {
            long owed = due.getOrDefault(account, 0L);
            if (count > owed) {
                violations.add(String.format("account %s: %d invest_cash runs for %d deposits of $10 or more", account,
                        count, owed));
            }
        });
        excused.forEach((excuse, count) -> {
            if (count > 0) {
                // Allowed to the system, not to the soak: its deposits all go where a run is owed.
                violations.add(String.format("%d deposits excused for \"%s\": the workload makes none", count,
                        excuse));
            }
        });
        return new Report.Invariant("deposits_invested", "every deposit of $10 or more produced exactly one "
                + "invest_cash run; none below $10; the only allowed exceptions, counted apart (the workload deposits "
                + "only into subscribed accounts on active portfolios, so both must be 0): " + excused,
                deposits.size(), violations);
    }

    /** The executor's invest_cash runs, by account. */
    private Map<String, Long> investCashRuns() throws SQLException {
        Map<String, Long> runs = new HashMap<>();
        try (Connection c = connect(); PreparedStatement select = c.prepareStatement(
                "SELECT account_id, count(*) FROM runs WHERE request::json->>'type' = 'invest_cash' GROUP BY account_id");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                runs.put(rows.getString(1), rows.getLong(2));
            }
        }
        return runs;
    }

    Report.Invariant runsFinal() throws SQLException {
        List<String> open = unfinished();
        return new Report.Invariant("runs_final", "every run reached a final status once the system drained",
                runsByRequest().size(), open);
    }

    Report.Invariant ordersOnce(List<String> accounts) {
        return bySubmissions(accounts, "orders_once", "no POST refused as a duplicate client_order_id, none accepted "
                + "twice (the simulator's counts)", SimAdminClient.Submissions::orderedTwice);
    }

    /** An invariant over the simulator's count of each account's order submissions, one client order id a case. */
    private Report.Invariant bySubmissions(List<String> accounts, String name, String rule,
            java.util.function.Function<SimAdminClient.Submissions, List<String>> broken) {
        List<String> violations = new ArrayList<>();
        long orders = 0;
        for (String account : accounts) {
            SimAdminClient.Submissions submissions = sim.submissions(account);
            orders += submissions.byClientOrderId().size();
            broken.apply(submissions).forEach(v -> violations.add(account + ": " + v));
        }
        return new Report.Invariant(name, rule, orders, violations);
    }

    Report.Invariant cashNeverNegative(List<String> accounts) {
        List<String> violations = new ArrayList<>();
        for (String account : accounts) {
            JsonNode stats = simStats(account);
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

    /**
     * After each run, the account holds at least the cash reserve its buys were planned to leave (the executor's record:
     * basis points of the equity at the planning prices, the smallest of its buy plans' when a refusal made it plan
     * again): judged on the simulator's own cash right after every fill of the run's buys, the lowest of them. A run
     * that sent buys without a reserve on record is one too.
     */
    Report.Invariant reserveKept(List<String> accounts) throws SQLException {
        Map<String, JsonNode> cashAfterBuyFills = new HashMap<>();
        for (String account : accounts) {
            cashAfterBuyFills.put(account, simStats(account).path("cash_after_buy_fills"));
        }
        List<String> violations = new ArrayList<>();
        long runs = 0;
        try (Connection c = connect(executorDb); PreparedStatement select = c.prepareStatement("""
                SELECT r.run_id, r.account_id, r.buys_reserve,
                       array_agg(o.client_order_id) FILTER (WHERE o.filled_qty > 0)
                FROM runs r JOIN run_orders o ON o.run_id = r.run_id AND o.side = 'BUY' AND o.state = 'SENT'
                GROUP BY r.run_id, r.account_id, r.buys_reserve""");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                runs++;
                java.sql.Array filled = rows.getArray(4);
                violations.addAll(reserveViolations(rows.getString(1), rows.getBigDecimal(3),
                        filled == null ? List.of() : List.of((String[]) filled.getArray()),
                        cashAfterBuyFills.getOrDefault(rows.getString(2), MissingNode.getInstance())));
            }
        }
        return new Report.Invariant("reserve_kept", "after each run, cash at least the reserve at the planning prices "
                + "(the simulator's cash after every fill of the run's buys)", runs, violations);
    }

    /**
     * One run's buys against its reserve: {@code filledBuys} are the client order ids the executor recorded filled,
     * {@code cashAfter} the simulator's lowest cash after each buy's fills, by client order id.
     */
    static List<String> reserveViolations(String run, BigDecimal reserve, List<String> filledBuys, JsonNode cashAfter) {
        List<String> violations = new ArrayList<>();
        BigDecimal lowest = null;
        for (String clientOrderId : filledBuys) {
            if (cashAfter.has(clientOrderId)) {
                BigDecimal cash = new BigDecimal(cashAfter.get(clientOrderId).asText());
                lowest = lowest == null ? cash : lowest.min(cash);
            } else {
                violations.add("run " + run + ": buy " + clientOrderId + " recorded filled, no fill of it at the "
                        + "simulator");
            }
        }
        if (reserve == null || reserve.signum() <= 0) {
            violations.add("run " + run + " sent buys with no reserve on record");
        } else if (lowest != null && lowest.compareTo(reserve) < 0) {
            violations.add(String.format("run %s: cash fell to %s after a fill of its buys, below the reserve of %s "
                    + "its plans kept", run, lowest.toPlainString(), reserve.toPlainString()));
        }
        return violations;
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

    Report.Invariant noOrderRefusedForWant(List<String> accounts) {
        return bySubmissions(accounts, "no_order_refused_for_want", "no buy refused for buying power, no sell for "
                + "want of shares: plans are sized on what the account holds (the simulator's counts)",
                SimAdminClient.Submissions::refusedForWant);
    }

    /** The simulator's stats of the account (lowest cash, cash after buy fills); read once (judged after the drain). */
    private JsonNode simStats(String account) {
        return simStats.computeIfAbsent(account, sim::stats);
    }

    /** Every order of every account at the simulator, newest first; read once (judged after the drain). */
    private List<JsonNode> simOrders() {
        if (simOrders == null) {
            List<JsonNode> orders = new ArrayList<>();
            for (int a = 0; a < accounts; a++) {
                orders.addAll(stack.alpaca(Workload.key(a)).orders());
            }
            simOrders = orders;
        }
        return simOrders;
    }

    /**
     * The executor's record of each order agrees with Alpaca's, account by account: every order at the simulator is
     * one the executor recorded (by client order id), with the same Alpaca id, final status and filled quantity; every
     * order the executor recorded as sent is at the simulator; none is left SENDING.
     */
    Report.Invariant ordersMatchRuns() throws SQLException {
        Map<String, JsonNode> atAlpaca = new HashMap<>();
        for (JsonNode order : simOrders()) {
            atAlpaca.put(order.path("client_order_id").asText(), order);
        }
        List<String> violations = new ArrayList<>();
        long checked = 0;
        try (Connection c = connect(executorDb); PreparedStatement select = c.prepareStatement(
                "SELECT client_order_id, state, alpaca_id, status, filled_qty FROM run_orders WHERE state <> 'DRY_RUN'");
                ResultSet rows = select.executeQuery()) {
            java.util.Set<String> recorded = new java.util.HashSet<>();
            while (rows.next()) {
                checked++;
                String id = rows.getString(1);
                String state = rows.getString(2);
                recorded.add(id);
                JsonNode order = atAlpaca.get(id);
                if (state.equals("SENDING")) {
                    violations.add(id + ": left SENDING (Alpaca " + (order == null ? "has no such order" : "has it, "
                            + order.path("status").asText()) + ")");
                } else if (state.equals("SENT") && order == null) {
                    violations.add(id + ": recorded as sent (Alpaca id " + rows.getString(3) + "), Alpaca has no such order");
                } else if (order != null && !state.equals("SENT")) {
                    violations.add(id + ": at Alpaca (" + order.path("status").asText() + ") but recorded " + state);
                } else if (order != null) {
                    BigDecimal filled = rows.getBigDecimal(5) == null ? BigDecimal.ZERO : rows.getBigDecimal(5);
                    BigDecimal alpacaFilled = new BigDecimal(order.path("filled_qty").asText("0"));
                    if (!order.path("id").asText().equals(rows.getString(3))
                            || !order.path("status").asText().equals(rows.getString(4))
                            || filled.compareTo(alpacaFilled) != 0) {
                        violations.add(String.format("%s: recorded %s %s filled %s, Alpaca has %s %s filled %s", id,
                                rows.getString(3), rows.getString(4), filled.toPlainString(), order.path("id").asText(),
                                order.path("status").asText(), alpacaFilled.toPlainString()));
                    }
                }
            }
            atAlpaca.keySet().stream().filter(id -> !recorded.contains(id)).forEach(id -> violations.add(
                    id + ": an order at Alpaca (" + atAlpaca.get(id).path("status").asText()
                            + ") the executor has no record of"));
        }
        return new Report.Invariant("orders_match_runs", "Alpaca's orders and the executor's recorded orders agree "
                + "one for one: ids, final status, filled quantity", checked, violations);
    }

    /**
     * No order accepted after the executor recorded a halt (its "Trading halted" alert, written in the same
     * transaction) and before the lift was asked for, beyond one in flight per executor, sent within the request
     * timeout of the record.
     */
    Report.Invariant haltsHold(List<Workload.Halt> halts, int executors) {
        List<java.time.Instant> recorded = new ArrayList<>();
        for (Alert alert : alerts()) {
            if (alert.title().equals("Trading halted")) {
                recorded.add(alert.occurredAt());
            }
        }
        List<JsonNode> orders = simOrders();
        List<String> violations = new ArrayList<>();
        long checked = 0;
        for (Workload.Halt halt : halts) {
            java.time.Instant end = halt.lifting() == null ? java.time.Instant.MAX : halt.lifting();
            java.util.Optional<java.time.Instant> record = recorded.stream()
                    .filter(at -> !at.isBefore(halt.engaging()) && at.isBefore(end)).min(java.time.Instant::compareTo);
            if (record.isEmpty()) {
                continue; // lifted before the executor heard of it: nothing to hold to
            }
            checked++;
            List<JsonNode> during = orders.stream().filter(o -> {
                java.time.Instant submitted = java.time.Instant.parse(o.path("submitted_at").asText());
                return submitted.isAfter(record.get()) && submitted.isBefore(end);
            }).toList();
            long late = during.stream().filter(o -> java.time.Instant.parse(o.path("submitted_at").asText())
                    .isAfter(record.get().plus(IN_FLIGHT))).count();
            if (during.size() > executors || late > 0) {
                violations.add(String.format("halt recorded at %s, lifted from %s: %d orders accepted meanwhile (%d "
                        + "more than %d s after the record): %s", record.get(), halt.lifting(), during.size(), late,
                        IN_FLIGHT.toSeconds(), during.stream().map(o -> o.path("client_order_id").asText()).toList()));
            }
        }
        return new Report.Invariant("halts_hold", "no order accepted after the executor recorded a halt, beyond one "
                + "in flight per executor", checked, violations);
    }

    /** Every alert event as Kafka holds it; the injected poison messages left out. */
    private List<Alert> alerts() {
        List<Alert> alerts = new ArrayList<>();
        for (ConsumerRecord<String, String> record : readAll(Topics.ALERTS)) {
            try {
                alerts.add(EventJson.read(record.value() == null ? "" : record.value(), Alert.class));
            } catch (EventFormatException e) {
                // a poison message: the dead-letter invariant answers for it
            }
        }
        return alerts;
    }

    /** Alerts not yet delivered: not yet a notification, or in a message Telegram has not taken yet. */
    int undelivered() throws SQLException {
        return (int) deliveries(alerts()).values().stream().filter(d -> d == null || d.deliveredAt() == null).count();
    }

    /** An alert's notification and the message that carries it (null fields: not composed yet). */
    private record Delivery(Long messageId, String title, java.sql.Timestamp deliveredAt) {
    }

    private Map<String, Delivery> deliveries(List<Alert> alerts) throws SQLException {
        Map<String, Delivery> found = new HashMap<>();
        alerts.forEach(alert -> found.put(alert.eventId(), null));
        try (Connection c = connect(notifierDb); PreparedStatement select = c.prepareStatement("""
                SELECT n.event_id, m.id, m.title, m.delivered_at FROM notifications n
                LEFT JOIN messages m ON m.id = n.message_id""");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                if (found.containsKey(rows.getString(1))) {
                    long id = rows.getLong(2);
                    found.put(rows.getString(1), new Delivery(rows.wasNull() ? null : id, rows.getString(3),
                            rows.getTimestamp(4)));
                }
            }
        }
        return found;
    }

    /**
     * Every alert reached the phone: the notifier made it a notification, carried it in a message (alone or in a
     * digest) that it counts delivered, and the fake Bot API took a message with that title.
     */
    Report.Invariant alertsDelivered(List<FakeBotApi.Sent> messages) throws SQLException {
        List<Alert> alerts = alerts();
        Map<String, Delivery> deliveries = deliveries(alerts);
        List<String> texts = messages.stream().map(m -> unescaped(m.text())).toList();
        List<String> violations = new ArrayList<>();
        for (Alert alert : alerts) {
            Delivery delivery = deliveries.get(alert.eventId());
            String what = "alert " + alert.eventId() + " \"" + alert.title() + "\" (" + alert.source() + ", "
                    + alert.occurredAt() + ")";
            if (delivery == null) {
                violations.add(what + ": no notification");
            } else if (delivery.deliveredAt() == null) {
                violations.add(what + ": in message " + delivery.messageId() + ", never delivered");
            } else if (texts.stream().noneMatch(text -> text.contains(delivery.title()))) {
                violations.add(what + ": delivered as \"" + delivery.title() + "\", which Telegram never took");
            }
        }
        return new Report.Invariant("alerts_delivered", "every alert reached the fake Bot API, alone or in a digest",
                alerts.size(), violations);
    }

    /** A message Telegram took twice only when its answer to the first was dropped. */
    static Report.Invariant deliveredOnce(List<FakeBotApi.Sent> messages) {
        Map<String, List<FakeBotApi.Sent>> byText = new java.util.LinkedHashMap<>();
        messages.forEach(m -> byText.computeIfAbsent(m.text(), t -> new ArrayList<>()).add(m));
        List<String> violations = new ArrayList<>();
        byText.forEach((text, copies) -> {
            for (FakeBotApi.Sent copy : copies.subList(0, copies.size() - 1)) {
                if (!copy.answerDropped()) {
                    violations.add("message " + copy.seq() + " taken again though Telegram answered it: "
                            + abbreviated(text));
                }
            }
        });
        return new Report.Invariant("delivered_once", "a second delivery only after a send whose answer was dropped",
                messages.size(), violations);
    }

    /** A MarkdownV2 text as the reader sees it: escapes and the bold title's asterisks removed. */
    private static String unescaped(String text) {
        return text.replaceAll("\\\\(.)", "$1").replace("*", "");
    }

    private Connection connect() throws SQLException {
        return connect(executorDb);
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, "postgres", "postgres");
    }

    private static String abbreviated(String value) {
        return value == null ? "null" : value.length() <= 200 ? value : value.substring(0, 200) + "…";
    }
}
