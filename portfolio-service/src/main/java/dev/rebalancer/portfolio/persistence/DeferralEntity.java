package dev.rebalancer.portfolio.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/** An automatic rebalance the volatility filter deferred, with the reading that caused it. */
@Entity
@Table(name = "rebalance_deferral")
public class DeferralEntity extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public String eventId;
    @Column(name = "account_id")
    public String accountId;
    public LocalDate day;
    @Column(name = "portfolio_id")
    public String portfolioId;
    /** The trigger of the rebalance deferred, as Alpaca names it (drift_band, calendar, ...). */
    public String trigger;
    public String description;
    /** vix or spy_realized_vol. */
    public String source;
    public BigDecimal reading;
    @Column(name = "reading_as_of")
    public LocalDate readingAsOf;
    public BigDecimal threshold;
    @Column(name = "occurred_at")
    public Instant occurredAt;
}
