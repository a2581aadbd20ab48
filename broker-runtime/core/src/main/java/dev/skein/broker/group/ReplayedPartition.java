package dev.skein.broker.group;

import dev.skein.broker.group.GroupRecords.GroupEntry;
import dev.skein.broker.group.GroupRecords.GroupSnapshot;
import dev.skein.broker.group.GroupRecords.OffsetEntry;
import dev.skein.broker.group.PendingTxnOffsets.Pending;
import java.nio.BufferUnderflowException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one {@code __consumer_offsets} partition folded from its log during a load: the last metadata per group
 * (a tombstone deletes the group and its offsets), the last offset record per group and partition with its log offset
 * as position (a tombstone deletes it and what open transactions committed for it), and transactional offsets per
 * producer until that producer's marker: COMMIT folds them into the committed offsets (the later position wins),
 * ABORT drops them. What is still pending at the end belongs to transactions not ended in the log yet.
 *
 * <p>Unreadable records are skipped and counted: one bad record must not make every group of the partition
 * unavailable (Kafka's loader skips them too). Confined to the loading thread.
 */
final class ReplayedPartition implements CoordinatorLog.ReplaySink {
    private static final Logger log = LoggerFactory.getLogger(ReplayedPartition.class);

    private final int partition;
    final Map<String, GroupSnapshot> groups = new HashMap<>();
    /** Committed offsets per group. */
    final Map<String, Map<TopicPartition, Pending>> committed = new HashMap<>();
    /** Pending transactional offsets per producer, then group. */
    final Map<Long, Map<String, Map<TopicPartition, Pending>>> pending = new HashMap<>();

    int records;
    int skipped;
    long lastPosition = -1;

    ReplayedPartition(int partition) {
        this.partition = partition;
    }

    @Override
    public void record(Record record, long transactionalProducerId) {
        records++;
        lastPosition = record.offset();
        GroupRecords.Decoded decoded;
        try {
            decoded = GroupRecords.decode(record);
        } catch (IllegalStateException | BufferUnderflowException e) {
            skipped++;
            log.warn(
                    "Skipping unreadable record at offset {} of __consumer_offsets-{}: {}",
                    record.offset(),
                    partition,
                    e.toString());
            return;
        }
        if (decoded instanceof OffsetEntry o) {
            applyOffset(o, record.offset(), transactionalProducerId);
        } else if (decoded instanceof GroupEntry g) {
            if (g.group() == null) {
                groups.remove(g.groupId());
                committed.remove(g.groupId());
                pending.values().forEach(byGroup -> byGroup.remove(g.groupId()));
            } else {
                groups.put(g.groupId(), g.group());
            }
        }
    }

    private void applyOffset(OffsetEntry o, long position, long producerId) {
        if (producerId != RecordBatch.NO_PRODUCER_ID) {
            if (o.offset() != null) {
                pending.computeIfAbsent(producerId, id -> new HashMap<>())
                        .computeIfAbsent(o.groupId(), id -> new HashMap<>())
                        .put(o.partition(), new Pending(o.offset(), position));
            }
            return;
        }
        Map<TopicPartition, Pending> groupOffsets = committed.computeIfAbsent(o.groupId(), id -> new HashMap<>());
        if (o.offset() == null) {
            groupOffsets.remove(o.partition());
            for (Map<String, Map<TopicPartition, Pending>> byGroup : pending.values()) {
                Map<TopicPartition, Pending> txnOffsets = byGroup.get(o.groupId());
                if (txnOffsets != null) {
                    txnOffsets.remove(o.partition());
                }
            }
        } else {
            groupOffsets.put(o.partition(), new Pending(o.offset(), position));
        }
    }

    @Override
    public void marker(long offset, long producerId, boolean commit) {
        lastPosition = offset;
        Map<String, Map<TopicPartition, Pending>> ended = pending.remove(producerId);
        if (ended == null || !commit) {
            return;
        }
        ended.forEach((groupId, offsets) -> {
            Map<TopicPartition, Pending> groupOffsets = committed.computeIfAbsent(groupId, id -> new HashMap<>());
            offsets.forEach((tp, p) -> groupOffsets.merge(tp, p, (a, b) -> a.position() >= b.position() ? a : b));
        });
    }

    /** Ids of the groups to restore: with metadata, committed offsets or pending transactional offsets. */
    Set<String> groupIds() {
        Set<String> ids = new HashSet<>(groups.keySet());
        committed.forEach((id, o) -> {
            if (!o.isEmpty()) {
                ids.add(id);
            }
        });
        pending.values()
                .forEach(byGroup -> byGroup.forEach((id, o) -> {
                    if (!o.isEmpty()) {
                        ids.add(id);
                    }
                }));
        return ids;
    }

    /** Puts the offsets of {@code group} read from the log into it. */
    void restoreOffsets(ClassicGroup group) {
        group.positionAtLeast(lastPosition);
        committed
                .getOrDefault(group.groupId(), Map.of())
                .forEach((tp, p) -> group.materialize(tp, p.offset(), p.position()));
        pending.forEach((producerId, byGroup) -> byGroup.getOrDefault(group.groupId(), Map.of())
                .forEach((tp, p) -> group.pendingTxnOffsets().add(producerId, tp, p.offset(), p.position())));
    }
}
