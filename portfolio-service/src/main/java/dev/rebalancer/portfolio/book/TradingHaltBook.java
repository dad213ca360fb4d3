package dev.rebalancer.portfolio.book;

import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.TradingHalt;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.persistence.TradingHaltChange;
import dev.rebalancer.portfolio.domain.Paging;
import dev.rebalancer.portfolio.persistence.TradingHaltEntity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.UUID;

/**
 * The kill switch: engaged with a reason (and, if asked, the executor's open orders canceled), released, each change
 * kept in the history with who made it, and announced on the control topic. The current state is announced again at
 * start and every {@code rebalancer.control.announce-interval} under the same row lock and version, so an executor
 * that hears nothing for three intervals knows it is cut off and holds every order.
 */
@ApplicationScoped
public class TradingHaltBook {

    private final Outbox outbox;

    TradingHaltBook(Outbox outbox) {
        this.outbox = outbox;
    }

    /**
     * Engages the halt, for a reason, cancelling the orders open at Alpaca or not. With an idempotency key already
     * used by a change, nothing changes and the current state is answered.
     */
    @Transactional
    public Views.Halt engage(String reason, boolean cancelOpenOrders, String actor, String idempotencyKey) {
        return set(true, reason, cancelOpenOrders, actor, idempotencyKey);
    }

    @Transactional
    public Views.Halt release(String reason, String actor, String idempotencyKey) {
        return set(false, reason, false, actor, idempotencyKey);
    }

    /** Every change, newest first, a page at a time. */
    @Transactional
    public Views.HaltHistory history(Paging paging) {
        List<Views.HaltChange> changes = TradingHaltChange.<TradingHaltChange>find("order by version desc")
                .range(paging.offset(), paging.offset() + paging.limit() - 1).list().stream()
                .map(c -> new Views.HaltChange(c.version, c.halted, c.reason, c.actor, c.cancelOpenOrders,
                        c.changedAt)).toList();
        return new Views.HaltHistory(changes, paging.next(changes.size(), TradingHaltChange.count()));
    }

    /** Announces the current state again, with its version, under the row lock a change takes. */
    @Transactional
    public void announce() {
        TradingHaltEntity halt = TradingHaltEntity.findById(TradingHaltEntity.ID, LockModeType.PESSIMISTIC_WRITE);
        outbox.publish(Topics.CONTROL, TradingHalt.KEY, new TradingHalt(UUID.randomUUID().toString(),
                Clock.now(), halt.halted, halt.reason, halt.version));
    }

    @Transactional
    public Views.Halt current() {
        TradingHaltEntity halt = TradingHaltEntity.findById(TradingHaltEntity.ID);
        return new Views.Halt(halt.halted, halt.reason, halt.updatedAt);
    }

    private Views.Halt set(boolean halted, String reason, boolean cancelOpenOrders, String actor,
            String idempotencyKey) {
        // The one row is inserted by the schema migration. Its lock also orders two requests with the same key.
        TradingHaltEntity halt = TradingHaltEntity.findById(TradingHaltEntity.ID, LockModeType.PESSIMISTIC_WRITE);
        if (idempotencyKey != null && TradingHaltChange.count("idempotencyKey", idempotencyKey) > 0) {
            return new Views.Halt(halt.halted, halt.reason, halt.updatedAt);
        }
        halt.halted = halted;
        halt.reason = reason;
        halt.updatedAt = Clock.now();
        halt.version++;
        TradingHaltChange change = new TradingHaltChange();
        change.version = halt.version;
        change.halted = halted;
        change.reason = reason;
        change.actor = actor;
        change.cancelOpenOrders = cancelOpenOrders;
        change.changedAt = halt.updatedAt;
        change.idempotencyKey = idempotencyKey;
        change.persist();
        outbox.publish(Topics.CONTROL, TradingHalt.KEY, new TradingHalt(UUID.randomUUID().toString(),
                halt.updatedAt, halted, reason, halt.version, cancelOpenOrders ? Boolean.TRUE : null));
        return new Views.Halt(halted, reason, halt.updatedAt);
    }
}
