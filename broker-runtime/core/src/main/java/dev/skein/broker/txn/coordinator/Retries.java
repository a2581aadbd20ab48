package dev.skein.broker.txn.coordinator;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs a task again later (marker and completion retries). Tests fire the tasks by hand. */
@FunctionalInterface
public interface Retries {
    /** Runs {@code task} after {@code delayMs}; silently drops it once the broker is shutting down. */
    void after(long delayMs, Runnable task);

    /** Retries on {@code executor}. */
    static Retries on(ScheduledExecutorService executor) {
        return (delayMs, task) -> {
            try {
                executor.schedule(task, delayMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down: a transaction left prepared is completed by the next coordinator, from the log
            }
        };
    }
}
