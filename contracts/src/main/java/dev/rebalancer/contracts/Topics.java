package dev.rebalancer.contracts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka topic names. Every topic is keyed by {@code account_id} (control by {@link TradingHalt#KEY}, the calendar
 * by {@link MarketCalendar#KEY}, volatility by its source) and all share
 * one partition count, so one account's events stay in order and the drift monitor's inputs are co-partitioned.
 */
public final class Topics {

    /** The account's subscribed portfolio; compacted; a tombstone on unsubscribe. */
    public static final String TARGETS = "rebalancer.targets.v1";
    /** Account snapshots: equity, cash, buying power, positions; compacted. */
    public static final String POSITIONS = "rebalancer.positions.v1";
    /** One event per Alpaca cash activity (CSD, JNLC); the event id is the Alpaca activity id. */
    public static final String CASH_DEPOSITS = "rebalancer.cash-deposits.v1";
    /** Requests to start a run: full_rebalance, invest_cash, partial_liquidation. */
    public static final String REBALANCE_REQUESTS = "rebalancer.rebalance-requests.v1";
    /** Every state change of a run, in Alpaca's run shape. */
    public static final String RUNS = "rebalancer.runs.v1";
    /** Anything a person should know about; delivered to Telegram by the notifier. */
    public static final String ALERTS = "rebalancer.alerts.v1";
    /** The trading halt switch; compacted. */
    public static final String CONTROL = "rebalancer.control.v1";
    /** The market's calendar from Alpaca (trading days, early closes); compacted, one key. */
    public static final String CALENDAR = "rebalancer.calendar.v1";
    /** The market's volatility readings (VIX, SPY's realised volatility); compacted, keyed by source. */
    public static final String VOLATILITY = "rebalancer.volatility.v1";
    /** Automatic rebalances the volatility filter deferred, at most one per account and trading day. */
    public static final String DEFERRALS = "rebalancer.deferrals.v1";

    /** Topics whose latest value per key is the state, so they are compacted rather than deleted by age. */
    public static final List<String> COMPACTED = List.of(TARGETS, POSITIONS, CONTROL, CALENDAR, VOLATILITY);

    /** Every topic above. */
    public static final List<String> ALL = List.of(TARGETS, POSITIONS, CASH_DEPOSITS, REBALANCE_REQUESTS, RUNS, ALERTS, CONTROL,
            CALENDAR, VOLATILITY, DEFERRALS);

    /** The header of a dead-lettered message that says why it could not be read. */
    public static final String DEAD_LETTER_REASON = "rebalancer-dead-letter-reason";

    private static final String DEAD_LETTER_SUFFIX = ".dlq";
    private static final Map<String, String> COMPACT = Map.of("cleanup.policy", "compact");

    private Topics() {
    }

    /**
     * Every topic the system needs with its configuration: the topics above (the state topics compacted) and a
     * dead-letter topic beside each. All share one partition count, which the creator chooses.
     */
    public static Map<String, Map<String, String>> layout() {
        Map<String, Map<String, String>> layout = new LinkedHashMap<>();
        for (String topic : ALL) {
            layout.put(topic, COMPACTED.contains(topic) ? COMPACT : Map.of());
            layout.put(deadLetterOf(topic), Map.of());
        }
        return layout;
    }

    /** Where a consumer of {@code topic} puts a message it cannot process, so that it can keep going. */
    public static String deadLetterOf(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
