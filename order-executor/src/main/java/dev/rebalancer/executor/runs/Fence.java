package dev.rebalancer.executor.runs;

/**
 * A worker's hold on a run: the instance that claimed it and the claim's generation. Every claim of a run takes a new
 * generation, and every write a worker makes of a run checks that owner and generation are still its own, so a worker
 * that stalled past its lease cannot write over the one that took the run over.
 */
public record Fence(String runId, String owner, long generation) {

    /** The run is no longer held under this fence: another worker has it, or it was let go. Stop without writing. */
    public static final class Lost extends RuntimeException {
        public Lost(Fence fence) {
            super("run " + fence.runId() + " is no longer held by " + fence.owner() + " (claim " + fence.generation()
                    + ")");
        }
    }
}
