package dev.skein.broker.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

/**
 * Which {@code __consumer_offsets} partitions this coordinator owns, whether each is loading or active, and the
 * groups of each. A group belongs to partition {@code abs(groupId.hashCode()) % partitionCount}. Thread-safe
 * (concurrent maps); the groups themselves are guarded by their own locks.
 */
final class GroupShards {
    /**
     * One owned partition: loading until its log has been replayed. {@code loaded} turns true and
     * {@code endedWhileLoading} is read and written while holding the shard's monitor.
     */
    static final class Shard {
        /** A transaction whose marker was committed to the partition while it was loading. */
        record EndedTxn(long producerId, boolean commit) {}

        final long epoch;
        volatile boolean loaded;
        final Map<String, ClassicGroup> groups = new ConcurrentHashMap<>();
        final List<EndedTxn> endedWhileLoading = new ArrayList<>();

        Shard(long epoch) {
            this.epoch = epoch;
        }
    }

    private final IntSupplier partitionCount;
    private final Time time;
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();
    private long nextEpoch;

    GroupShards(IntSupplier partitionCount, Time time) {
        this.partitionCount = partitionCount;
        this.time = time;
    }

    int partitionFor(String groupId) {
        return Utils.abs(groupId.hashCode()) % partitionCount.getAsInt();
    }

    /** NONE if this coordinator serves the group now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
    Errors check(String groupId) {
        Shard shard = shards.get(partitionFor(groupId));
        if (shard == null) {
            return Errors.NOT_COORDINATOR;
        }
        return shard.loaded ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /** Starts owning {@code partition} in the loading state; returns the new shard. */
    synchronized Shard startLoading(int partition) {
        Shard shard = new Shard(++nextEpoch);
        shards.put(partition, shard);
        return shard;
    }

    /** The shard of {@code partition} if it is still the one that {@code epoch} identifies. */
    Shard current(int partition, long epoch) {
        Shard shard = shards.get(partition);
        return shard != null && shard.epoch == epoch ? shard : null;
    }

    /** The shard of {@code partition}, loading or loaded, or null if this coordinator does not own it. */
    Shard shard(int partition) {
        return shards.get(partition);
    }

    Shard remove(int partition) {
        return shards.remove(partition);
    }

    ClassicGroup get(String groupId) {
        Shard shard = shards.get(partitionFor(groupId));
        return shard == null ? null : shard.groups.get(groupId);
    }

    /** The group, created Empty if absent. Call only after {@link #check} returned NONE. */
    ClassicGroup getOrCreate(String groupId) {
        int partition = partitionFor(groupId);
        Shard shard = shards.get(partition);
        if (shard == null) {
            throw new IllegalStateException("partition " + partition + " is not owned");
        }
        return shard.groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, partition, time.milliseconds()));
    }

    /** Forgets a group that was marked Dead. */
    void remove(ClassicGroup group) {
        Shard shard = shards.get(group.offsetsPartition());
        if (shard != null) {
            shard.groups.remove(group.groupId(), group);
        }
    }

    boolean anyLoading() {
        return shards.values().stream().anyMatch(s -> !s.loaded);
    }

    /** Groups of every active partition. */
    List<ClassicGroup> activeGroups() {
        List<ClassicGroup> result = new ArrayList<>();
        for (Shard shard : shards.values()) {
            if (shard.loaded) {
                result.addAll(shard.groups.values());
            }
        }
        return result;
    }

    Collection<Integer> ownedPartitions() {
        return List.copyOf(shards.keySet());
    }
}
