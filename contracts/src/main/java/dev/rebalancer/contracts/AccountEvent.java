package dev.rebalancer.contracts;

/** An event about one account; its {@code account_id} is also its Kafka key. */
public interface AccountEvent extends Event {

    String accountId();
}
