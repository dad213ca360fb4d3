package dev.rebalancer.portfolio.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One halt or resume, as it happened: the version it made, who, when and why. */
@Entity
@Table(name = "trading_halt_history")
public class TradingHaltChange extends PanacheEntityBase {

    @Id
    public Long version;
    public boolean halted;
    public String reason;
    public String actor;
    @Column(name = "cancel_open_orders")
    public boolean cancelOpenOrders;
    @Column(name = "changed_at")
    public Instant changedAt;
    /** The request's {@code Idempotency-Key}: a second request with it changes nothing. */
    @Column(name = "idempotency_key")
    public String idempotencyKey;
}
