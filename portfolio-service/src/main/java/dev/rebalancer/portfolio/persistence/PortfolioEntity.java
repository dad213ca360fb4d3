package dev.rebalancer.portfolio.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "portfolio")
public class PortfolioEntity extends PanacheEntityBase {

    @Id
    public UUID id;
    /** Counts the row's writes: a write based on an older read fails (optimistic locking). */
    @Version
    public long version;
    public String name;
    public String description;
    public String status;
    @Column(name = "cooldown_days")
    public int cooldownDays;
    /** The weights as JSON, in Alpaca's shape. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String weights;
    /** The conditions as JSON, in Alpaca's shape; null when the portfolio has none. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "rebalance_conditions")
    public String rebalanceConditions;
    /** The opt-in strategies as JSON (contracts' Strategies), beside Alpaca's shape; null when it has none. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String strategies;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
