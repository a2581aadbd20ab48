package dev.skein.broker.partition;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * Holds {@link DelayedOperation}s by the partitions they wait on. No thread waits: an operation is re-checked when one
 * of its partitions changes ({@link #checkAndComplete}) and completed by a timer task when its time is up; its timer
 * task is cancelled when it completes earlier. An operation whose requester is gone is dropped with {@link #cancel}.
 * The timer must be the purgatory's own (one thread that only runs these timeouts): on a scheduler shared with
 * tasks that may block, such as ZooKeeper writes, timeouts would fire late.
 * Size: each operation is one connection's single request in flight, so there are at most as many as connections
 * ({@code max.connections}), each for at most its timeout (fetches: {@code skein.fetch.max.wait.ms}).
 */
public final class Purgatory {
    private final ScheduledExecutorService timer;
    private final ConcurrentHashMap<TopicPartition, Set<DelayedOperation>> watchers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<DelayedOperation, ScheduledFuture<?>> timeouts = new ConcurrentHashMap<>();

    public Purgatory(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Parks {@code operation} for at most {@code timeoutMs}, unless it is already satisfied. */
    public void watch(DelayedOperation operation, long timeoutMs) {
        for (TopicPartition key : operation.keys()) {
            watchers.compute(key, (k, set) -> {
                Set<DelayedOperation> waiting = set == null ? ConcurrentHashMap.newKeySet() : set;
                waiting.add(operation);
                return waiting;
            });
        }
        // The condition may have become true between the caller's check and the registration above.
        if (operation.isSatisfied()) {
            complete(operation);
            return;
        }
        ScheduledFuture<?> timeout = timer.schedule(() -> complete(operation), timeoutMs, TimeUnit.MILLISECONDS);
        timeouts.put(operation, timeout);
        if (operation.isCompleted()) {
            // completed or cancelled meanwhile: neither its watch entries nor its timer may hold it any longer
            unwatch(operation);
        }
    }

    /**
     * Drops {@code operation} without producing its result — its connection closed — so it holds no memory and
     * no timer until its timeout. No effect if it already completed.
     */
    public void cancel(DelayedOperation operation) {
        if (operation.cancel()) {
            unwatch(operation);
        }
    }

    /** Completes the operations waiting on {@code key} whose condition now holds. */
    public void checkAndComplete(TopicPartition key) {
        Set<DelayedOperation> waiting = watchers.get(key);
        if (waiting == null) {
            return;
        }
        for (DelayedOperation operation : waiting) {
            if (operation.isCompleted() || operation.isSatisfied()) {
                complete(operation);
            }
        }
    }

    /** Number of parked operations (for metrics and tests). */
    public int size() {
        return (int) watchers.values().stream().flatMap(Set::stream).distinct().count();
    }

    private void complete(DelayedOperation operation) {
        operation.forceComplete();
        unwatch(operation);
    }

    private void unwatch(DelayedOperation operation) {
        cancelTimeout(operation);
        for (TopicPartition key : operation.keys()) {
            watchers.computeIfPresent(key, (k, set) -> {
                set.remove(operation);
                return set.isEmpty() ? null : set;
            });
        }
    }

    private void cancelTimeout(DelayedOperation operation) {
        ScheduledFuture<?> timeout = timeouts.remove(operation);
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
