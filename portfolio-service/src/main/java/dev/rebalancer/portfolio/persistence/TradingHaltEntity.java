package dev.rebalancer.portfolio.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The kill switch; one row. */
@Entity
@Table(name = "trading_halt")
public class TradingHaltEntity extends PanacheEntityBase {

    public static final int ID = 1;

    @Id
    public Integer id;
    public boolean halted;
    public String reason;
    @Column(name = "updated_at")
    public Instant updatedAt;
    /** Counts the switch's changes; every announcement carries it, so consumers can ignore a stale one. */
    public long version;
}
