package dev.rebalancer.contracts;

/** Alpaca's run statuses, spelled as Alpaca spells them. */
public enum RunStatus {
    /** Waiting for the market to be open with at least 15 minutes to the close. */
    QUEUED(false),
    IN_PROGRESS(false),
    /** Canceled before any order was sent. */
    CANCELED(true),
    /** Canceled after some orders were sent; the account sits between its pre- and post-run state. */
    CANCELED_MID_RUN(true),
    ERROR(true),
    TIMEOUT(true),
    /** Done, but some orders failed or were skipped. */
    COMPLETED_ADJUSTED(true),
    COMPLETED_SUCCESS(true);

    private final boolean isFinal;

    RunStatus(boolean isFinal) {
        this.isFinal = isFinal;
    }

    /** Whether the run has ended; only one run per account may be unfinished at a time. */
    public boolean isFinal() {
        return isFinal;
    }
}
