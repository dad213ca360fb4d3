package dev.rebalancer.portfolio.alpaca;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Accounts whose positions should be published now (subscribed, or a run just ended), drained by the sync. */
@ApplicationScoped
public class SnapshotRequests {

    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    public void request(String accountId) {
        pending.add(accountId);
    }

    Set<String> drain() {
        Set<String> drained = Set.copyOf(pending);
        pending.removeAll(drained);
        return drained;
    }
}
