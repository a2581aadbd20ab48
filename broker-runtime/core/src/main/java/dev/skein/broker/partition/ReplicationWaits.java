package dev.skein.broker.partition;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * Parks acks=all produce responses until the high watermark covers the appended records (every in-sync replica has
 * them). No thread waits: each wait is a {@link DelayedOperation} in a {@link Purgatory} keyed by partition, which
 * {@link PartitionRegistry}'s change notifications re-check. The outcome is {@link Partition#replicationOutcome}:
 * {@link Errors#NONE} once covered, {@link Errors#NOT_ENOUGH_REPLICAS_AFTER_APPEND} if the ISR shrank below
 * {@code min.insync.replicas} meanwhile, {@link Errors#NOT_LEADER_OR_FOLLOWER} if this broker stopped leading the
 * epoch the records were appended in (the new leader may truncate them, so the producer must retry), or
 * {@link Errors#REQUEST_TIMED_OUT} after the request's timeout. The check is the same on the fast path (already
 * covered when the append returns) as when parked.
 */
public final class ReplicationWaits {
    private final Purgatory purgatory;

    public ReplicationWaits(Purgatory purgatory) {
        this.purgatory = purgatory;
    }

    /**
     * Completes when {@code partition}'s high watermark reaches {@code endOffset} (exclusive end of the append made as
     * leader of {@code leaderEpoch}). Cancelling the returned future (its requester is gone) drops the parked wait.
     */
    public CompletableFuture<Errors> awaitHighWatermark(
            Partition partition, int leaderEpoch, long endOffset, long timeoutMs) {
        Optional<Errors> now = partition.replicationOutcome(leaderEpoch, endOffset);
        if (now.isPresent()) {
            return CompletableFuture.completedFuture(now.get());
        }
        CompletableFuture<Errors> result = new CompletableFuture<>();
        DelayedOperation parked = new DelayedOperation(List.of(partition.topicPartition())) {
            @Override
            protected boolean isSatisfied() {
                return partition.replicationOutcome(leaderEpoch, endOffset).isPresent();
            }

            @Override
            protected void onComplete() {
                result.complete(
                        partition.replicationOutcome(leaderEpoch, endOffset).orElse(Errors.REQUEST_TIMED_OUT));
            }
        };
        // Cancelled when the producer's connection closes: the wait leaves the purgatory at once, not at its timeout.
        result.whenComplete((outcome, error) -> {
            if (result.isCancelled()) {
                purgatory.cancel(parked);
            }
        });
        purgatory.watch(parked, timeoutMs);
        return result;
    }

    /** Number of parked waits (for metrics and tests). */
    public int size() {
        return purgatory.size();
    }
}
