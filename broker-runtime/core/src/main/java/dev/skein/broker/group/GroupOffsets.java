package dev.skein.broker.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets: OffsetCommit, OffsetFetch, OffsetDelete and retention. A commit is visible to OffsetFetch and
 * acknowledged only after its records are committed to {@code __consumer_offsets}. Offsets of an Empty consumer group
 * expire {@code offsets.retention.minutes} after the group became empty; offsets of a group that never used group
 * management expire that long after their commit. Threading as in {@link GroupMembership}: the group lock.
 */
final class GroupOffsets {
    private static final Logger log = LoggerFactory.getLogger(GroupOffsets.class);

    private final GroupConfig config;
    private final GroupShards shards;
    private final GroupMembership membership;
    private final CoordinatorLog coordinatorLog;
    private final Time time;

    GroupOffsets(
            GroupConfig config,
            GroupShards shards,
            GroupMembership membership,
            CoordinatorLog coordinatorLog,
            Time time) {
        this.config = config;
        this.shards = shards;
        this.membership = membership;
        this.coordinatorLog = coordinatorLog;
        this.time = time;
    }

    /**
     * Commits offsets, stamped with the current time as commit timestamp; the future has one error per partition
     * (NONE on success).
     */
    CompletableFuture<Map<TopicPartition, Errors>> commit(
            String groupId,
            String memberId,
            String groupInstanceId,
            int generationId,
            Map<TopicPartition, CommittedOffset> offsets) {
        Errors error = shards.check(groupId);
        ClassicGroup group = null;
        if (error == Errors.NONE) {
            group = shards.get(groupId);
            if (group == null) {
                if (generationId < 0) {
                    group = shards.getOrCreate(groupId);
                } else {
                    error = Errors.ILLEGAL_GENERATION;
                }
            }
        }
        if (error != Errors.NONE) {
            return OffsetCommitBatch.allWith(offsets.keySet(), error);
        }
        synchronized (group) {
            error = validateCommit(group, memberId, groupInstanceId, generationId);
            OffsetCommitBatch batch = OffsetCommitBatch.of(groupId, offsets, error, config, time);
            if (batch.isEmpty()) {
                return CompletableFuture.completedFuture(batch.result());
            }
            ClassicGroup target = group;
            long position = group.nextPosition();
            return coordinatorLog
                    .append(group.offsetsPartition(), batch.records())
                    .handle((ignored, appendFailure) -> {
                        synchronized (target) {
                            Errors outcome = Errors.NONE;
                            if (appendFailure != null) {
                                outcome = offsetAppendError(appendFailure);
                            } else if (!target.is(GroupState.DEAD)) {
                                batch.valid().forEach((tp, o) -> target.materialize(tp, o, position));
                            }
                            return batch.complete(outcome);
                        }
                    });
        }
    }

    private Errors validateCommit(ClassicGroup group, String memberId, String groupInstanceId, int generationId) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generationId < 0 && group.is(GroupState.EMPTY)) {
            return Errors.NONE; // a group that only stores offsets (assign() with commits)
        }
        Errors error = membership.validateMember(group, memberId, groupInstanceId, generationId);
        if (error != Errors.NONE) {
            return error;
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        membership.scheduleHeartbeat(group, group.member(memberId));
        return Errors.NONE;
    }

    /**
     * The committed offsets of {@code partitions}, or of every partition with a committed offset when
     * {@code partitions} is null. With {@code requireStable}, partitions for which an open transaction holds an offset
     * are listed as unstable (their offset may change when it ends).
     */
    FetchedOffsets fetch(String groupId, List<TopicPartition> partitions, boolean requireStable) {
        Errors error = shards.check(groupId);
        if (error != Errors.NONE) {
            return new FetchedOffsets(error, Map.of(), Set.of());
        }
        ClassicGroup group = shards.get(groupId);
        Map<TopicPartition, CommittedOffset> result = new LinkedHashMap<>();
        if (group == null) {
            if (partitions != null) {
                partitions.forEach(tp -> result.put(tp, null));
            }
            return new FetchedOffsets(Errors.NONE, result, Set.of());
        }
        synchronized (group) {
            if (partitions == null) {
                result.putAll(group.offsets());
            } else {
                partitions.forEach(tp -> result.put(tp, group.offsets().get(tp)));
            }
            Set<TopicPartition> unstable =
                    requireStable ? TransactionalOffsets.unstable(group, result.keySet()) : Set.of();
            return new FetchedOffsets(Errors.NONE, result, unstable);
        }
    }

    /** Result of an OffsetDelete: a group-level error, or one error per partition. */
    record DeletedOffsets(Errors error, Map<TopicPartition, Errors> partitions) {}

    CompletableFuture<DeletedOffsets> delete(String groupId, List<TopicPartition> partitions) {
        Errors error = shards.check(groupId);
        ClassicGroup group = error == Errors.NONE ? shards.get(groupId) : null;
        if (error == Errors.NONE && group == null) {
            error = Errors.GROUP_ID_NOT_FOUND;
        }
        if (error != Errors.NONE) {
            return CompletableFuture.completedFuture(new DeletedOffsets(error, Map.of()));
        }
        synchronized (group) {
            if (group.is(GroupState.DEAD)) {
                return CompletableFuture.completedFuture(new DeletedOffsets(Errors.GROUP_ID_NOT_FOUND, Map.of()));
            }
            Set<String> subscribed;
            if (group.is(GroupState.EMPTY)) {
                subscribed = Set.of();
            } else if (ConsumerProtocol.PROTOCOL_TYPE.equals(group.protocolType())) {
                subscribed = subscribedTopics(group);
            } else {
                return CompletableFuture.completedFuture(new DeletedOffsets(Errors.NON_EMPTY_GROUP, Map.of()));
            }
            Map<TopicPartition, Errors> result = new LinkedHashMap<>();
            List<TopicPartition> deleted = new ArrayList<>();
            List<SimpleRecord> tombstones = new ArrayList<>();
            long now = time.milliseconds();
            for (TopicPartition tp : partitions) {
                if (subscribed.contains(tp.topic())) {
                    result.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
                } else {
                    result.put(tp, Errors.NONE);
                    if (group.offsets().containsKey(tp)
                            || group.pendingTxnOffsets().holds(tp)) {
                        deleted.add(tp);
                        tombstones.add(GroupRecords.offsetTombstone(groupId, tp, now));
                    }
                }
            }
            if (tombstones.isEmpty()) {
                return CompletableFuture.completedFuture(new DeletedOffsets(Errors.NONE, result));
            }
            ClassicGroup target = group;
            return coordinatorLog.append(group.offsetsPartition(), tombstones).handle((ignored, failure) -> {
                if (failure != null) {
                    return new DeletedOffsets(GroupStore.appendError(failure), Map.of());
                }
                synchronized (target) {
                    for (TopicPartition tp : deleted) {
                        target.offsets().remove(tp);
                        // Kafka's rule: a tombstone also drops what open transactions committed for the partition.
                        target.pendingTxnOffsets().removePartition(tp);
                    }
                }
                return new DeletedOffsets(Errors.NONE, result);
            });
        }
    }

    private static Set<String> subscribedTopics(ClassicGroup group) {
        Set<String> topics = new HashSet<>();
        for (GroupMember member : group.members()) {
            byte[] metadata = group.protocolName() == null ? null : member.metadata(group.protocolName());
            if (metadata == null) {
                member.protocols().forEach(p -> topics.addAll(topicsOf(p.metadata())));
            } else {
                topics.addAll(topicsOf(metadata));
            }
        }
        return topics;
    }

    private static List<String> topicsOf(byte[] subscription) {
        try {
            return ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(subscription))
                    .topics();
        } catch (RuntimeException e) {
            // Not a consumer subscription we can read: treat the member as subscribed to nothing.
            return List.of();
        }
    }

    /**
     * Removes expired offsets (see the class comment) and writes their tombstones; a group left Empty without
     * offsets is removed too. Returns the number of offsets expired.
     */
    int expireOffsets() {
        long now = time.milliseconds();
        int expired = 0;
        for (ClassicGroup group : shards.activeGroups()) {
            synchronized (group) {
                expired += expireGroupOffsets(group, now);
            }
        }
        return expired;
    }

    private int expireGroupOffsets(ClassicGroup group, long now) {
        if (group.is(GroupState.DEAD) || !group.is(GroupState.EMPTY)) {
            return 0;
        }
        boolean managed = group.protocolType() != null && !group.protocolType().isEmpty();
        List<SimpleRecord> tombstones = new ArrayList<>();
        List<TopicPartition> gone = new ArrayList<>();
        for (Map.Entry<TopicPartition, CommittedOffset> e : group.offsets().entrySet()) {
            long base = managed ? group.stateTimestampMs() : e.getValue().commitTimestamp();
            // An offset an open transaction may still replace stays until the transaction ends, as in Kafka.
            if (base + config.offsetsRetentionMs() <= now
                    && !group.pendingTxnOffsets().holds(e.getKey())) {
                gone.add(e.getKey());
                tombstones.add(GroupRecords.offsetTombstone(group.groupId(), e.getKey(), now));
            }
        }
        gone.forEach(group.offsets()::remove);
        boolean removeGroup = group.offsets().isEmpty()
                && group.pendingMembers().isEmpty()
                && group.pendingTxnOffsets().isEmpty();
        if (removeGroup) {
            tombstones.add(GroupRecords.groupTombstone(group.groupId(), now));
            group.transitionTo(GroupState.DEAD, now);
            shards.remove(group);
        }
        if (!tombstones.isEmpty()) {
            log.info(
                    "Expired {} offsets of group {}{}",
                    gone.size(),
                    group.groupId(),
                    removeGroup ? " and removed the empty group" : "");
            coordinatorLog.append(group.offsetsPartition(), tombstones).exceptionally(failure -> {
                log.warn(
                        "Writing tombstones of expired offsets of group {} failed: {}",
                        group.groupId(),
                        failure.toString());
                return null;
            });
        }
        return gone.size();
    }

    /** The error an offset commit answers when writing its records failed. */
    static Errors offsetAppendError(Throwable failure) {
        Errors mapped = GroupStore.appendError(failure);
        return mapped == Errors.UNKNOWN_SERVER_ERROR ? Errors.INVALID_COMMIT_OFFSET_SIZE : mapped;
    }
}
