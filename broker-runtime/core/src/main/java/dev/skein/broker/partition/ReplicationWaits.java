package dev.skein.broker.partition;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * Parks acks=all produce responses until the high watermark covers the appended records (every in-sync replica has
 * them). No thread waits: each wait is a {@link DelayedOperation} in a {@link Purgatory} keyed by partition, which
 * {@link PartitionRegistry}'s change notifications re-check. The result is {@link Errors#NONE} once covered,
 * {@link Errors#NOT_LEADER_OR_FOLLOWER} if this broker stopped leading first (the records may be truncated by the
 * new leader, so the producer must retry), or {@link Errors#REQUEST_TIMED_OUT} after the request's timeout.
 */
public final class ReplicationWaits {
    private final Purgatory purgatory;

    public ReplicationWaits(Purgatory purgatory) {
        this.purgatory = purgatory;
    }

    /** Completes when {@code partition}'s high watermark reaches {@code endOffset} (exclusive end of the append). */
    public CompletableFuture<Errors> awaitHighWatermark(Partition partition, long endOffset, long timeoutMs) {
        if (partition.log().highWatermark() >= endOffset) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        int epoch = partition.leaderEpoch();
        CompletableFuture<Errors> result = new CompletableFuture<>();
        purgatory.watch(
                new DelayedOperation(List.of(partition.topicPartition())) {
                    @Override
                    protected boolean isSatisfied() {
                        return covered() || lostLeadership();
                    }

                    @Override
                    protected void onComplete() {
                        if (covered()) {
                            result.complete(Errors.NONE);
                        } else if (lostLeadership()) {
                            result.complete(Errors.NOT_LEADER_OR_FOLLOWER);
                        } else {
                            result.complete(Errors.REQUEST_TIMED_OUT);
                        }
                    }

                    private boolean covered() {
                        return !lostLeadership() && partition.log().highWatermark() >= endOffset;
                    }

                    private boolean lostLeadership() {
                        return !partition.isLeader() || partition.leaderEpoch() != epoch;
                    }
                },
                timeoutMs);
        return result;
    }

    /** Number of parked waits (for metrics and tests). */
    public int size() {
        return purgatory.size();
    }
}
