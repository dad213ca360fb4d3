package dev.rebalancer.portfolio.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A configured Alpaca account, known by Alpaca's account id. Holds no secret. */
@Entity
@Table(name = "account")
public class AccountEntity extends PanacheEntityBase {

    @Id
    @Column(name = "account_id")
    public String accountId;
    public String name;
    @Column(name = "account_number")
    public String accountNumber;
    /** paper or live. */
    public String mode;
    @Column(name = "dry_run")
    public boolean dryRun;
    @Column(name = "base_url")
    public String baseUrl;
    /** The latest position snapshot as published, JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String snapshot;
    @Column(name = "snapshot_at")
    public Instant snapshotAt;
    /** When the service first managed the account; cash that arrived before is not new cash. */
    @Column(name = "created_at")
    public Instant createdAt;
}
