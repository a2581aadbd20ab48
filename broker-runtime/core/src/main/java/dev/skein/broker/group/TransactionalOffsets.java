package dev.skein.broker.group;

import dev.skein.broker.group.GroupShards.Shard;
import dev.skein.broker.group.PendingTxnOffsets.Pending;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * Transactional offset commits (TxnOffsetCommit, KIP-98 / KIP-447): the offsets are written to the group's
 * {@code __consumer_offsets} partition as one transactional batch of the producer and stay pending in the group until
 * the transaction's marker is written there: COMMIT makes them the committed offsets, ABORT drops them
 * ({@link #endTransaction}). Markers that arrive while the partition is loading are applied once it is loaded.
 *
 * <p>Member checks follow Kafka's classic coordinator for TxnOffsetCommit: a dead group answers
 * COORDINATOR_NOT_AVAILABLE, a static member with another member id FENCED_INSTANCE_ID, a member id the group does not
 * know UNKNOWN_MEMBER_ID, a generation other than the group's (when not -1) ILLEGAL_GENERATION. Unlike OffsetCommit,
 * a commit during a rebalance is accepted (the transaction was validated against the generation it consumed in).
 *
 * <p>Threading: the group lock, as in {@link GroupOffsets}; the shard's monitor only for the loading hand-over.
 */
final class TransactionalOffsets {
    private final GroupConfig config;
    private final GroupShards shards;
    private final CoordinatorLog coordinatorLog;
    private final Time time;

    TransactionalOffsets(GroupConfig config, GroupShards shards, CoordinatorLog coordinatorLog, Time time) {
        this.config = config;
        this.shards = shards;
        this.coordinatorLog = coordinatorLog;
        this.time = time;
    }

    /** Commits {@code offsets} in producer {@code producerId}'s transaction; one error per partition. */
    CompletableFuture<Map<TopicPartition, Errors>> commit(
            String groupId,
            long producerId,
            short producerEpoch,
            String memberId,
            String groupInstanceId,
            int generationId,
            Map<TopicPartition, CommittedOffset> offsets) {
        Errors error = shards.check(groupId);
        if (error != Errors.NONE) {
            return OffsetCommitBatch.allWith(offsets.keySet(), error);
        }
        ClassicGroup group = shards.getOrCreate(groupId);
        synchronized (group) {
            error = validate(group, memberId, groupInstanceId, generationId);
            OffsetCommitBatch batch = OffsetCommitBatch.of(groupId, offsets, error, config, time);
            if (batch.isEmpty()) {
                return CompletableFuture.completedFuture(batch.result());
            }
            long position = group.nextPosition();
            // Pending from the append on, as in Kafka: a require_stable OffsetFetch must not read around it.
            batch.valid().forEach((tp, o) -> group.pendingTxnOffsets().add(producerId, tp, o, position));
            return coordinatorLog
                    .appendTransactional(group.offsetsPartition(), producerId, producerEpoch, batch.records())
                    .handle((ignored, failure) -> {
                        synchronized (group) {
                            if (failure == null) {
                                return batch.complete(Errors.NONE);
                            }
                            for (TopicPartition tp : batch.valid().keySet()) {
                                group.pendingTxnOffsets().removeIfAt(producerId, tp, position);
                            }
                            return batch.complete(GroupOffsets.offsetAppendError(failure));
                        }
                    });
        }
    }

    private static Errors validate(ClassicGroup group, String memberId, String groupInstanceId, int generationId) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (GroupRebalance.isFenced(group, groupInstanceId, memberId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (memberId != null && !memberId.isEmpty() && !group.has(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId >= 0 && generationId != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    /**
     * The marker of {@code producerId}'s transaction was committed to {@code partition} of {@code __consumer_offsets}:
     * materializes ({@code commit}) or drops the producer's pending offsets in that partition's groups. Deferred until
     * the partition is loaded if it is loading (the replay may not have reached the marker); ignored if this broker
     * does not coordinate the partition (the next leader reads the marker from the log).
     */
    void endTransaction(int partition, long producerId, boolean commit) {
        Shard shard = shards.shard(partition);
        if (shard == null) {
            return;
        }
        synchronized (shard) {
            if (!shard.loaded) {
                shard.endedWhileLoading.add(new Shard.EndedTxn(producerId, commit));
                return;
            }
        }
        for (ClassicGroup group : shard.groups.values()) {
            synchronized (group) {
                end(group, producerId, commit);
            }
        }
    }

    /** Marks a loaded shard active and applies the markers that arrived while it loaded. */
    void activate(Shard shard) {
        List<Shard.EndedTxn> ended;
        synchronized (shard) {
            shard.loaded = true;
            ended = List.copyOf(shard.endedWhileLoading);
            shard.endedWhileLoading.clear();
        }
        for (Shard.EndedTxn txn : ended) {
            for (ClassicGroup group : shard.groups.values()) {
                synchronized (group) {
                    end(group, txn.producerId(), txn.commit());
                }
            }
        }
    }

    private static void end(ClassicGroup group, long producerId, boolean commit) {
        Map<TopicPartition, Pending> ended = group.pendingTxnOffsets().end(producerId);
        if (commit && !group.is(GroupState.DEAD)) {
            ended.forEach((tp, p) -> group.materialize(tp, p.offset(), p.position()));
        }
    }

    /** The partitions among {@code partitions} for which an open transaction holds an offset of the group. */
    static Set<TopicPartition> unstable(ClassicGroup group, Iterable<TopicPartition> partitions) {
        Set<TopicPartition> result = new HashSet<>();
        PendingTxnOffsets pending = group.pendingTxnOffsets();
        if (pending.isEmpty()) {
            return result;
        }
        for (TopicPartition tp : partitions) {
            if (pending.holds(tp)) {
                result.add(tp);
            }
        }
        return result;
    }
}
