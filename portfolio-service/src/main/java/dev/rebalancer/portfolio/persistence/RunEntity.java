package dev.rebalancer.portfolio.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A run as the executor last reported it (or as created here, for a manual run not yet picked up). */
@Entity
@Table(name = "run")
public class RunEntity extends PanacheEntityBase {

    @Id
    public String id;
    @Column(name = "account_id")
    public String accountId;
    @Column(name = "portfolio_id")
    public UUID portfolioId;
    @Column(name = "request_id")
    public String requestId;
    public String type;
    public BigDecimal amount;
    @Column(name = "initiated_from")
    public String initiatedFrom;
    public String status;
    public String reason;
    @JdbcTypeCode(SqlTypes.JSON)
    public String weights;
    @JdbcTypeCode(SqlTypes.JSON)
    public String orders;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "failed_orders")
    public String failedOrders;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "skipped_orders")
    public String skippedOrders;
    /** Planned only: the account is in dry run (an extra field beside Alpaca's run shape). */
    @Column(name = "dry_run")
    public boolean dryRun;
    /** The dollars its orders filled for, and what they cost by the trade costs (extra fields; null: not told). */
    public java.math.BigDecimal turnover;
    @Column(name = "estimated_cost")
    public java.math.BigDecimal estimatedCost;
    /** A harvest's realised loss (an extra field; null for any other run). */
    @Column(name = "harvested_loss")
    public java.math.BigDecimal harvestedLoss;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "completed_at")
    public Instant completedAt;
    @Column(name = "canceled_at")
    public Instant canceledAt;

    /** The account's runs the system started (drift, deposits, calendar) that are still waiting to start. */
    public static java.util.List<RunEntity> queuedAutomatic(String accountId) {
        return list("accountId = ?1 and status = 'QUEUED' and initiatedFrom = 'system'", accountId);
    }
}
