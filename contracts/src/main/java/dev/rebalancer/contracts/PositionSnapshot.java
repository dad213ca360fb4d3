package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredList;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** An account's state at Alpaca at one moment; published on {@link Topics#POSITIONS} (compacted). */
public record PositionSnapshot(
        String eventId,
        String accountId,
        Instant occurredAt,
        BigDecimal equity,
        BigDecimal cash,
        BigDecimal buyingPower,
        List<Position> positions) implements AccountEvent {

    public static final String TYPE = "position_snapshot";

    public PositionSnapshot {
        requiredText(eventId, "event_id");
        requiredText(accountId, "account_id");
        required(occurredAt, "occurred_at");
        required(equity, "equity");
        required(cash, "cash");
        required(buyingPower, "buying_power");
        positions = requiredList(positions, "positions");
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
