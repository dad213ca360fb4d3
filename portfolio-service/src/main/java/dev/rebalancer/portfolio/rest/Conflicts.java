package dev.rebalancer.portfolio.rest;

import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A write that lost an optimistic-locking race (the row changed between its read and its commit) is done again, in a
 * new transaction, on the row as it now is. {@code write} must be a whole transaction (a {@code @Transactional} book
 * method called from outside one).
 */
final class Conflicts {

    private static final Logger LOG = Logger.getLogger(Conflicts.class);
    private static final int ATTEMPTS = 5;

    private Conflicts() {
    }

    static <T> T retried(Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (RuntimeException e) {
                if (!lostARace(e)) {
                    throw e;
                }
                if (attempt == ATTEMPTS) {
                    throw ApiException.conflict("the resource kept changing while this request was applied; nothing"
                            + " was changed, try again");
                }
                LOG.debugf("write lost an optimistic-locking race (attempt %d), trying again: %s", attempt,
                        e.getMessage());
            }
        }
    }

    static void retried(Runnable write) {
        retried(() -> {
            write.run();
            return null;
        });
    }

    /** Whether the failure, or one of its causes, is an optimistic-locking conflict. */
    static boolean lostARace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof jakarta.persistence.OptimisticLockException
                    || t instanceof org.hibernate.StaleStateException) {
                return true;
            }
        }
        return false;
    }
}
