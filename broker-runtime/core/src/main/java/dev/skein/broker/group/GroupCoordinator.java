package dev.skein.broker.group;

import dev.skein.broker.group.GroupOffsets.DeletedOffsets;
import dev.skein.broker.group.GroupRecords.GroupSnapshot;
import dev.skein.broker.group.GroupRecords.MemberSnapshot;
import dev.skein.broker.group.GroupShards.Shard;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.txn.TransactionMarkerListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic group coordinator of this broker: serves the groups whose {@code __consumer_offsets} partition
 * ({@code abs(groupId.hashCode()) % partitions}) this broker leads. The membership protocol is in
 * {@link GroupMembership}, offsets in {@link GroupOffsets}, transactional offsets (TxnOffsetCommit, pending until
 * their transaction's marker, which partition leaders report through {@link #onMarkerCommitted}) in
 * {@link TransactionalOffsets}; this class owns partition loading and the group-level admin operations.
 *
 * <p>Loading: {@link #onBecomeLeader} marks the partition loading (requests for its groups get
 * COORDINATOR_LOAD_IN_PROGRESS) and replays its log on {@code loadExecutor}; the last record per key wins and
 * tombstones delete; transactional offsets take effect at their COMMIT marker and those of transactions without a
 * marker in the log yet stay pending ({@link ReplayedPartition}). Restored groups with members are Stable and their members' sessions restart.
 * {@link #onResign} drops the partition's groups and fails their waiting requests with NOT_COORDINATOR.
 *
 * <p>Threading: one lock per group (its monitor); every public method may be called from any thread.
 */
public final class GroupCoordinator implements TransactionMarkerListener {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

    private final GroupShards shards;
    private final GroupMembership membership;
    private final GroupOffsets offsets;
    private final TransactionalOffsets txnOffsets;
    private final CoordinatorLog coordinatorLog;
    private final Executor loadExecutor;
    private final Time time;

    GroupCoordinator(
            GroupConfig config,
            IntSupplier partitionCount,
            CoordinatorLog coordinatorLog,
            GroupTimer timer,
            Executor loadExecutor,
            Time time) {
        this.shards = new GroupShards(partitionCount, time);
        this.membership = new GroupMembership(config, shards, coordinatorLog, timer, time);
        this.offsets = new GroupOffsets(config, shards, membership, coordinatorLog, time);
        this.txnOffsets = new TransactionalOffsets(config, shards, coordinatorLog, time);
        this.coordinatorLog = coordinatorLog;
        this.loadExecutor = loadExecutor;
        this.time = time;
    }

    /**
     * Builds the coordinator of a broker: it follows this broker's leadership of {@code __consumer_offsets}
     * partitions (register before the registry loads its partitions), runs its timers and the offset-expiry check
     * every {@code offsets.retention.check.interval.ms} on {@code scheduler}.
     *
     * @param partitionCount partitions of {@code __consumer_offsets} (the existing topic's, else the configured count)
     */
    public static GroupCoordinator create(
            GroupConfig config,
            PartitionRegistry partitions,
            IntSupplier partitionCount,
            ScheduledExecutorService scheduler,
            Time time) {
        GroupCoordinator coordinator = new GroupCoordinator(
                config,
                partitionCount,
                new OffsetsTopicLog(partitions),
                new ScheduledGroupTimer(scheduler),
                scheduler,
                time);
        partitions.addLeadershipListener((tp, leader) -> {
            if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                if (leader) {
                    coordinator.onBecomeLeader(tp.partition());
                } else {
                    coordinator.onResign(tp.partition());
                }
            }
        });
        long interval = config.offsetsRetentionCheckIntervalMs();
        scheduler.scheduleAtFixedRate(
                () -> {
                    try {
                        coordinator.expireOffsets();
                    } catch (RuntimeException e) {
                        log.error("Offset expiry failed", e);
                    }
                },
                interval,
                interval,
                TimeUnit.MILLISECONDS);
        return coordinator;
    }

    /** The {@code __consumer_offsets} partition that holds {@code groupId}. */
    public int partitionFor(String groupId) {
        return shards.partitionFor(groupId);
    }

    /** NONE if this broker serves {@code groupId} now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
    public Errors checkCoordinator(String groupId) {
        return shards.check(groupId);
    }

    public void onBecomeLeader(int partition) {
        Shard shard = shards.startLoading(partition);
        loadExecutor.execute(() -> load(partition, shard.epoch));
    }

    public void onResign(int partition) {
        Shard shard = shards.remove(partition);
        if (shard == null) {
            return;
        }
        for (ClassicGroup group : shard.groups.values()) {
            synchronized (group) {
                membership.unload(group, Errors.NOT_COORDINATOR);
            }
        }
        log.info(
                "Resigned as coordinator of __consumer_offsets-{} ({} groups unloaded)",
                partition,
                shard.groups.size());
    }

    private void load(int partition, long epoch) {
        long started = time.milliseconds();
        ReplayedPartition replayed = new ReplayedPartition(partition);
        try {
            coordinatorLog.replay(partition, replayed);
        } catch (RuntimeException e) {
            log.error("Loading __consumer_offsets-{} failed; its groups stay unavailable", partition, e);
            return;
        }
        Shard shard = shards.current(partition, epoch);
        if (shard == null) {
            return; // resigned meanwhile
        }
        Set<String> ids = replayed.groupIds();
        for (String id : ids) {
            ClassicGroup group = new ClassicGroup(id, partition, time.milliseconds());
            synchronized (group) {
                GroupSnapshot snapshot = replayed.groups.get(id);
                if (snapshot != null) {
                    restore(group, snapshot);
                }
                replayed.restoreOffsets(group);
                shard.groups.put(id, group);
                group.members().forEach(m -> membership.scheduleHeartbeat(group, m));
            }
        }
        txnOffsets.activate(shard);
        log.info(
                "Loaded __consumer_offsets-{}: {} records ({} unreadable, skipped), {} groups, {} open transactions"
                        + " in {} ms",
                partition,
                replayed.records,
                replayed.skipped,
                ids.size(),
                replayed.pending.size(),
                time.milliseconds() - started);
    }

    private void restore(ClassicGroup group, GroupSnapshot snapshot) {
        for (MemberSnapshot m : snapshot.members()) {
            GroupMember member = new GroupMember(
                    m.memberId(),
                    m.groupInstanceId(),
                    m.clientId(),
                    m.clientHost(),
                    m.rebalanceTimeoutMs(),
                    m.sessionTimeoutMs(),
                    snapshot.protocolType(),
                    List.of(new MemberProtocol(snapshot.protocol(), m.subscription())));
            member.assignment(m.assignment());
            group.add(member, time.milliseconds());
        }
        GroupState state = snapshot.members().isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
        long timestamp = snapshot.stateTimestampMs() < 0 ? time.milliseconds() : snapshot.stateTimestampMs();
        String protocolType =
                snapshot.protocolType() == null || snapshot.protocolType().isEmpty() ? null : snapshot.protocolType();
        group.restore(snapshot.generation(), protocolType, snapshot.protocol(), snapshot.leader(), state, timestamp);
    }

    public CompletableFuture<JoinGroupResult> joinGroup(JoinGroupParams params) {
        return membership.join(params);
    }

    public CompletableFuture<SyncGroupResult> syncGroup(SyncGroupParams params) {
        return membership.sync(params);
    }

    public Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        return membership.heartbeat(groupId, memberId, groupInstanceId, generationId);
    }

    /**
     * Removes members from a group.
     *
     * @return the group-level error first, then (if it is NONE) one error per member in the given order
     */
    public List<Errors> leaveGroup(String groupId, List<MemberIdentity> members) {
        GroupMembership.LeaveOutcome outcome = membership.leave(groupId, members);
        List<Errors> result = new ArrayList<>();
        result.add(outcome.error());
        result.addAll(outcome.memberErrors());
        return result;
    }

    public CompletableFuture<Map<TopicPartition, Errors>> commitOffsets(
            String groupId,
            String memberId,
            String groupInstanceId,
            int generationId,
            Map<TopicPartition, CommittedOffset> committed) {
        return offsets.commit(groupId, memberId, groupInstanceId, generationId, committed);
    }

    /**
     * Commits offsets in the transaction of producer {@code producerId} (TxnOffsetCommit): they are written at once
     * but become the group's committed offsets only when the transaction commits; see {@link TransactionalOffsets}.
     * Verifying that the transaction includes the group's partition is the caller's job.
     *
     * @param generationId -1 (with an empty member id) when the producer does not send consumer group metadata
     * @return one error per partition
     */
    public CompletableFuture<Map<TopicPartition, Errors>> commitTransactionalOffsets(
            String groupId,
            long producerId,
            short producerEpoch,
            String memberId,
            String groupInstanceId,
            int generationId,
            Map<TopicPartition, CommittedOffset> committed) {
        return txnOffsets.commit(
                groupId, producerId, producerEpoch, memberId, groupInstanceId, generationId, committed);
    }

    /**
     * Materializes (COMMIT) or drops (ABORT) the transactional offsets of {@code producerId} in the groups of
     * {@code partition} once its marker is committed there; ignores partitions of other topics.
     */
    @Override
    public void onMarkerCommitted(TopicPartition partition, long producerId, short producerEpoch, boolean commit) {
        if (partition.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
            txnOffsets.endTransaction(partition.partition(), producerId, commit);
        }
    }

    /**
     * Committed offsets of a group.
     *
     * @param partitions null for every partition with a committed offset
     * @return the group-level error (NONE or a coordinator error) and the offsets, null where none is committed
     */
    public Map.Entry<Errors, Map<TopicPartition, CommittedOffset>> fetchOffsets(
            String groupId, List<TopicPartition> partitions) {
        FetchedOffsets fetched = offsets.fetch(groupId, partitions, false);
        return Map.entry(fetched.error(), fetched.offsets());
    }

    /**
     * Like {@link #fetchOffsets(String, List)}; with {@code requireStable} also names the partitions whose offset an
     * open transaction holds (OffsetFetch {@code require_stable}, KIP-447).
     */
    public FetchedOffsets fetchOffsets(String groupId, List<TopicPartition> partitions, boolean requireStable) {
        return offsets.fetch(groupId, partitions, requireStable);
    }

    /** Deletes committed offsets: the group-level error and, if NONE, one error per partition. */
    public CompletableFuture<Map.Entry<Errors, Map<TopicPartition, Errors>>> deleteOffsets(
            String groupId, List<TopicPartition> partitions) {
        return offsets.delete(groupId, partitions)
                .thenApply((DeletedOffsets d) -> Map.entry(d.error(), d.partitions()));
    }

    /** Expires offsets past retention; run periodically. Returns how many were removed. */
    public int expireOffsets() {
        return offsets.expireOffsets();
    }

    public GroupDescription describeGroup(String groupId) {
        Errors error = shards.check(groupId);
        if (error != Errors.NONE) {
            return new GroupDescription(error, groupId, GroupState.DEAD.kafkaName(), "", "", List.of());
        }
        ClassicGroup group = shards.get(groupId);
        if (group == null) {
            return new GroupDescription(
                    Errors.GROUP_ID_NOT_FOUND, groupId, GroupState.DEAD.kafkaName(), "", "", List.of());
        }
        synchronized (group) {
            if (group.is(GroupState.DEAD)) {
                return new GroupDescription(
                        Errors.GROUP_ID_NOT_FOUND, groupId, GroupState.DEAD.kafkaName(), "", "", List.of());
            }
            boolean stable = group.is(GroupState.STABLE);
            List<GroupDescription.Member> members = new ArrayList<>();
            for (GroupMember m : group.members()) {
                byte[] metadata = stable ? m.metadata(group.protocolName()) : null;
                members.add(new GroupDescription.Member(
                        m.memberId(),
                        m.groupInstanceId(),
                        m.clientId(),
                        m.clientHost(),
                        metadata == null ? new byte[0] : metadata,
                        stable ? m.assignment() : new byte[0]));
            }
            return new GroupDescription(
                    Errors.NONE,
                    groupId,
                    group.state().kafkaName(),
                    group.protocolType() == null ? "" : group.protocolType(),
                    stable ? group.protocolName() : "",
                    members);
        }
    }

    /**
     * Groups of every loaded partition, optionally only those in {@code states} (Kafka state names, any case).
     *
     * @return COORDINATOR_LOAD_IN_PROGRESS with the groups known so far while some partition is loading
     */
    public Map.Entry<Errors, List<GroupListing>> listGroups(Set<String> states) {
        List<GroupListing> result = new ArrayList<>();
        for (ClassicGroup group : shards.activeGroups()) {
            synchronized (group) {
                if (group.is(GroupState.DEAD)) {
                    continue;
                }
                String state = group.state().kafkaName();
                if (states.isEmpty() || states.stream().anyMatch(state::equalsIgnoreCase)) {
                    result.add(new GroupListing(
                            group.groupId(), group.protocolType() == null ? "" : group.protocolType(), state));
                }
            }
        }
        Errors error = shards.anyLoading() ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE;
        return Map.entry(error, result);
    }

    /** Deletes empty groups with their offsets: one error per group (NON_EMPTY_GROUP while members exist). */
    public CompletableFuture<Map<String, Errors>> deleteGroups(List<String> groupIds) {
        Map<String, CompletableFuture<Errors>> pending = new LinkedHashMap<>();
        for (String groupId : groupIds) {
            pending.put(groupId, deleteGroup(groupId));
        }
        return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    Map<String, Errors> result = new LinkedHashMap<>();
                    pending.forEach((id, f) -> result.put(id, f.join()));
                    return result;
                });
    }

    private CompletableFuture<Errors> deleteGroup(String groupId) {
        Errors error = shards.check(groupId);
        if (error != Errors.NONE) {
            return CompletableFuture.completedFuture(error);
        }
        ClassicGroup group = shards.get(groupId);
        if (group == null) {
            return CompletableFuture.completedFuture(Errors.GROUP_ID_NOT_FOUND);
        }
        synchronized (group) {
            if (group.is(GroupState.DEAD)) {
                return CompletableFuture.completedFuture(Errors.GROUP_ID_NOT_FOUND);
            }
            if (!group.is(GroupState.EMPTY)) {
                return CompletableFuture.completedFuture(Errors.NON_EMPTY_GROUP);
            }
            long now = time.milliseconds();
            List<SimpleRecord> tombstones = new ArrayList<>();
            for (TopicPartition tp : group.offsets().keySet()) {
                tombstones.add(GroupRecords.offsetTombstone(groupId, tp, now));
            }
            tombstones.add(GroupRecords.groupTombstone(groupId, now));
            membership.unload(group, Errors.COORDINATOR_NOT_AVAILABLE);
            group.offsets().clear();
            group.pendingTxnOffsets().clear();
            shards.remove(group);
            return coordinatorLog
                    .append(group.offsetsPartition(), tombstones)
                    .handle((ignored, failure) -> failure == null ? Errors.NONE : GroupStore.appendError(failure));
        }
    }
}
