package dev.skein.broker.group;

import dev.skein.broker.group.GroupOffsets.DeletedOffsets;
import dev.skein.broker.group.GroupOffsets.FetchedOffsets;
import dev.skein.broker.group.GroupRecords.GroupEntry;
import dev.skein.broker.group.GroupRecords.GroupSnapshot;
import dev.skein.broker.group.GroupRecords.MemberSnapshot;
import dev.skein.broker.group.GroupRecords.OffsetEntry;
import dev.skein.broker.group.GroupShards.Shard;
import dev.skein.broker.partition.PartitionRegistry;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@link GroupMembership}, offsets in {@link GroupOffsets}; this class owns partition loading and the group-level
 * admin operations.
 *
 * <p>Loading: {@link #onBecomeLeader} marks the partition loading (requests for its groups get
 * COORDINATOR_LOAD_IN_PROGRESS) and replays its log on {@code loadExecutor}; the last record per key wins and
 * tombstones delete. Restored groups with members are Stable and their members' sessions restart.
 * {@link #onResign} drops the partition's groups and fails their waiting requests with NOT_COORDINATOR.
 *
 * <p>Threading: one lock per group (its monitor); every public method may be called from any thread.
 */
public final class GroupCoordinator {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

    private final GroupShards shards;
    private final GroupMembership membership;
    private final GroupOffsets offsets;
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
        Map<String, GroupSnapshot> groups = new HashMap<>();
        Map<String, Map<TopicPartition, CommittedOffset>> committed = new HashMap<>();
        int[] records = new int[1];
        int[] skipped = new int[1];
        try {
            coordinatorLog.replay(partition, record -> {
                records[0]++;
                GroupRecords.Decoded decoded;
                try {
                    decoded = GroupRecords.decode(record);
                } catch (IllegalStateException | BufferUnderflowException e) {
                    // One unreadable record must not make every group of the partition unavailable; Kafka's loader
                    // skips records it cannot read the same way. What it held is lost, the rest loads.
                    skipped[0]++;
                    log.warn(
                            "Skipping unreadable record at offset {} of __consumer_offsets-{}: {}",
                            record.offset(),
                            partition,
                            e.toString());
                    return;
                }
                applyLoaded(decoded, groups, committed);
            });
        } catch (RuntimeException e) {
            log.error("Loading __consumer_offsets-{} failed; its groups stay unavailable", partition, e);
            return;
        }
        Shard shard = shards.current(partition, epoch);
        if (shard == null) {
            return; // resigned meanwhile
        }
        Set<String> ids = new java.util.HashSet<>(groups.keySet());
        committed.forEach((id, o) -> {
            if (!o.isEmpty()) {
                ids.add(id);
            }
        });
        for (String id : ids) {
            ClassicGroup group = new ClassicGroup(id, partition, time.milliseconds());
            synchronized (group) {
                GroupSnapshot snapshot = groups.get(id);
                if (snapshot != null) {
                    restore(group, snapshot);
                }
                group.offsets().putAll(committed.getOrDefault(id, Map.of()));
                shard.groups.put(id, group);
                group.members().forEach(m -> membership.scheduleHeartbeat(group, m));
            }
        }
        shard.loaded = true;
        log.info(
                "Loaded __consumer_offsets-{}: {} records ({} unreadable, skipped), {} groups in {} ms",
                partition,
                records[0],
                skipped[0],
                ids.size(),
                time.milliseconds() - started);
    }

    /** Folds one decoded record into the state being loaded; later records win, a null value deletes. */
    private static void applyLoaded(
            GroupRecords.Decoded decoded,
            Map<String, GroupSnapshot> groups,
            Map<String, Map<TopicPartition, CommittedOffset>> committed) {
        if (decoded instanceof OffsetEntry o) {
            Map<TopicPartition, CommittedOffset> groupOffsets =
                    committed.computeIfAbsent(o.groupId(), id -> new HashMap<>());
            if (o.offset() == null) {
                groupOffsets.remove(o.partition());
            } else {
                groupOffsets.put(o.partition(), o.offset());
            }
        } else if (decoded instanceof GroupEntry g) {
            if (g.group() == null) {
                groups.remove(g.groupId());
                committed.remove(g.groupId());
            } else {
                groups.put(g.groupId(), g.group());
            }
        }
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
     * Committed offsets of a group.
     *
     * @param partitions null for every partition with a committed offset
     * @return the group-level error (NONE or a coordinator error) and the offsets, null where none is committed
     */
    public Map.Entry<Errors, Map<TopicPartition, CommittedOffset>> fetchOffsets(
            String groupId, List<TopicPartition> partitions) {
        FetchedOffsets fetched = offsets.fetch(groupId, partitions);
        return Map.entry(fetched.error(), fetched.offsets());
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
            shards.remove(group);
            return coordinatorLog
                    .append(group.offsetsPartition(), tombstones)
                    .handle((ignored, failure) -> failure == null ? Errors.NONE : GroupStore.appendError(failure));
        }
    }
}
