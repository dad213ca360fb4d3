package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * The kill switch, on {@link Topics#CONTROL} (compacted, always under {@link #KEY}). While {@code halted}, no new
 * order is submitted for any account. A halt needs a reason; a release may give one. {@code version} counts the
 * switch's changes: a state older than one already applied is ignored (a stale "not halted" never lifts a halt); an
 * event without one (written before versions) is applied as it comes. The state is announced again at a fixed
 * interval with the same version, so a consumer that hears nothing for long knows it is cut off. A halt with
 * {@code cancel_open_orders} also cancels the orders the executor has open at Alpaca.
 */
public record TradingHalt(String eventId, Instant occurredAt, Boolean halted, String reason, Long version,
        Boolean cancelOpenOrders) implements Event {

    /** Written as {@code trading_halt} (before: {@code trading_control}; readers never needed the type to read it). */
    public static final String TYPE = "trading_halt";
    /** The one key of the control topic: the switch is global. */
    public static final String KEY = "trading";

    /** A state without a version. */
    public TradingHalt(String eventId, Instant occurredAt, Boolean halted, String reason) {
        this(eventId, occurredAt, halted, reason, null);
    }

    /** A state that cancels no order. */
    public TradingHalt(String eventId, Instant occurredAt, Boolean halted, String reason, Long version) {
        this(eventId, occurredAt, halted, reason, version, null);
    }

    /** True for a halt that also cancels the orders open at Alpaca. */
    public boolean cancelsOpenOrders() {
        return Boolean.TRUE.equals(halted) && Boolean.TRUE.equals(cancelOpenOrders);
    }

    public TradingHalt {
        requiredText(eventId, "event_id");
        required(occurredAt, "occurred_at");
        if (required(halted, "halted")) {
            requiredText(reason, "reason");
        }
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
