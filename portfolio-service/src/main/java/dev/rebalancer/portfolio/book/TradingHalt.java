package dev.rebalancer.portfolio.book;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.TradingControl;
import dev.rebalancer.portfolio.domain.InvalidInput;
import dev.rebalancer.portfolio.domain.RequestFields;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.persistence.TradingHaltEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/** The kill switch: engaged with a reason, released, and announced on the control topic either way. */
@ApplicationScoped
public class TradingHalt {

    private final Outbox outbox;

    TradingHalt(Outbox outbox) {
        this.outbox = outbox;
    }

    @Transactional
    public Views.Halt engage(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidInput("", "the body must be a JSON object with a reason");
        }
        return set(true, RequestFields.requiredText(body, "reason"));
    }

    @Transactional
    public Views.Halt release(String reason) {
        return set(false, reason);
    }

    @Transactional
    public Views.Halt current() {
        TradingHaltEntity halt = TradingHaltEntity.findById(TradingHaltEntity.ID);
        return new Views.Halt(halt.halted, halt.reason, halt.updatedAt);
    }

    private Views.Halt set(boolean halted, String reason) {
        // The one row is inserted by the schema migration.
        TradingHaltEntity halt = TradingHaltEntity.findById(TradingHaltEntity.ID, LockModeType.PESSIMISTIC_WRITE);
        halt.halted = halted;
        halt.reason = reason;
        halt.updatedAt = Clock.now();
        halt.version++;
        outbox.publish(Topics.CONTROL, TradingControl.KEY,
                new TradingControl(UUID.randomUUID().toString(), halt.updatedAt, halted, reason, halt.version));
        return new Views.Halt(halted, reason, halt.updatedAt);
    }
}
