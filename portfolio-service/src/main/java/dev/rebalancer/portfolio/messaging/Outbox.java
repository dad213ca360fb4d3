package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.contracts.AccountEvent;
import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/**
 * Writes an event into the outbox inside the caller's transaction, so the change and its announcement commit together
 * or not at all. {@link OutboxRelay} publishes it afterwards.
 */
@ApplicationScoped
public class Outbox {

    static final String SOURCE = "portfolio-service";
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Outbox.class);

    private final TransactionSynchronizationRegistry transactions;
    private final OutboxRelay relay;
    private final jakarta.persistence.EntityManager entityManager;
    private final dev.rebalancer.runtime.Metrics metrics;

    Outbox(TransactionSynchronizationRegistry transactions, OutboxRelay relay,
            jakarta.persistence.EntityManager entityManager, dev.rebalancer.runtime.Metrics metrics) {
        this.metrics = metrics;
        this.transactions = transactions;
        this.relay = relay;
        this.entityManager = entityManager;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void publish(String topic, AccountEvent event) {
        add(topic, event.accountId(), EventJson.write(event));
    }

    /** An event on a topic whose key is not an account (the control topic). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void publish(String topic, String key, Object event) {
        add(topic, key, EventJson.write(event));
    }

    /** A null value for the key of a compacted topic: the state it held is gone. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void tombstone(String topic, String key) {
        add(topic, key, null);
    }

    /** A message as it arrived, for a dead-letter topic. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void raw(String topic, String key, String payload) {
        add(topic, key == null ? "" : key, payload);
    }

    /**
     * Copies an unreadable message to its topic's dead-letter topic, once per position (runtime's DeadLettered): false,
     * and nothing written, when Kafka hands it again after it was dead-lettered before.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean deadLetter(org.apache.kafka.clients.consumer.ConsumerRecord<String, String> record) {
        if (!entityManager.unwrap(org.hibernate.Session.class).doReturningWork(connection ->
                dev.rebalancer.runtime.DeadLettered.first(connection, record))) {
            return false;
        }
        raw(Topics.deadLetterOf(record.topic()), record.key(), record.value());
        return true;
    }

    /**
     * The event a consumed record holds, or empty for one that cannot be read: that one is dead-lettered (once per
     * position) with a warning alert in the caller's transaction, and counted once that commits; {@code what} names it
     * ("run event").
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public <T> java.util.Optional<T> readOrDeadLetter(org.apache.kafka.clients.consumer.ConsumerRecord<String, String> record,
            Class<T> type, String what) {
        try {
            return java.util.Optional.of(EventJson.read(record.value().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    type));
        } catch (dev.rebalancer.contracts.EventFormatException e) {
            String where = dev.rebalancer.runtime.DeadLettered.where(record);
            if (!deadLetter(record)) {
                LOG.infof("unreadable %s at %s handed again: dead-lettered before, nothing written twice", what, where);
                return java.util.Optional.empty();
            }
            LOG.warnf("unreadable %s at %s dead-lettered: %s", what, where, e.getMessage());
            afterCommit(() -> metrics.deadLettered(record.topic()));
            alert(Severity.WARNING, record.key(), "Unreadable " + what + " dead-lettered", e.getMessage() + " ("
                    + where + ")");
            return java.util.Optional.empty();
        }
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void alert(Severity severity, String accountId, String title, String detail) {
        Alert alert = new Alert(UUID.randomUUID().toString(), accountId, Instant.now(), severity, title, detail, null,
                SOURCE);
        add(Topics.ALERTS, accountId == null ? "" : accountId, EventJson.write(alert));
    }

    private void add(String topic, String key, String payload) {
        // On the transaction's own connection, into the one outbox table every service shares the definition of.
        entityManager.unwrap(org.hibernate.Session.class).doWork(connection ->
                dev.rebalancer.runtime.Outbox.add(connection, topic, key, payload));
        // Publish as soon as the change is committed rather than at the relay's next round.
        afterCommit(relay::wake);
    }

    /** Runs {@code action} once the current transaction has committed (never if it rolls back): metrics, wake-ups. */
    public void afterCommit(Runnable action) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    action.run();
                }
            }
        });
    }
}
