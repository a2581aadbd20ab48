package dev.skein.broker.partition;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;

/**
 * A request parked until its condition holds or it times out (long-poll fetch, acks=all produce). Completion happens
 * exactly once, on whichever thread first sees the condition or the timeout; the {@link Purgatory} then cancels the
 * timeout task so the timer does not hold one task per answered request until it would have expired.
 */
public abstract class DelayedOperation {
    private final AtomicBoolean completed = new AtomicBoolean();
    private final Collection<TopicPartition> keys;

    protected DelayedOperation(Collection<TopicPartition> keys) {
        this.keys = keys;
    }

    Collection<TopicPartition> keys() {
        return keys;
    }

    /** Whether the operation can complete now. Must be cheap and side-effect free. */
    protected abstract boolean isSatisfied();

    /** Produces the operation's result; called exactly once. */
    protected abstract void onComplete();

    boolean isCompleted() {
        return completed.get();
    }

    /** Ends the operation without a result (its requester is gone); returns whether this call ended it. */
    boolean cancel() {
        return completed.compareAndSet(false, true);
    }

    /** Completes the operation unless something else already did; returns whether this call completed it. */
    boolean forceComplete() {
        if (completed.compareAndSet(false, true)) {
            onComplete();
            return true;
        }
        return false;
    }
}
