package dev.skein.broker.partition;

import java.util.Collection;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;

/**
 * A request parked until its condition holds or it times out (long-poll fetch, acks=all produce). Completion happens
 * exactly once, on whichever thread first sees the condition or the timeout; completing first cancels the timeout
 * task so the timer does not hold one task per answered request until it would have expired.
 */
public abstract class DelayedOperation {
    private final AtomicBoolean completed = new AtomicBoolean();
    private final Collection<TopicPartition> keys;
    /** The pending timeout task, cancelled when the operation completes first. */
    private volatile Future<?> timeout;

    protected DelayedOperation(Collection<TopicPartition> keys) {
        this.keys = keys;
    }

    Collection<TopicPartition> keys() {
        return keys;
    }

    void setTimeout(Future<?> task) {
        this.timeout = task;
        if (completed.get()) {
            task.cancel(false);
        }
    }

    /** Whether the operation can complete now. Must be cheap and side-effect free. */
    protected abstract boolean isSatisfied();

    /** Produces the operation's result; called exactly once. */
    protected abstract void onComplete();

    boolean isCompleted() {
        return completed.get();
    }

    /** Completes the operation unless something else already did; returns whether this call completed it. */
    boolean forceComplete() {
        if (completed.compareAndSet(false, true)) {
            Future<?> task = timeout;
            if (task != null) {
                task.cancel(false);
            }
            onComplete();
            return true;
        }
        return false;
    }
}
