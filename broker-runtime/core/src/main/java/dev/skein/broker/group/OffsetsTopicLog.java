package dev.skein.broker.group;

import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.log.PartitionLog.FetchSlice;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * {@link CoordinatorLog} on the local partitions of {@code __consumer_offsets}. An append is one uncompressed batch
 * written as leader with acks=all; its future completes when the partition's high watermark passes the batch (right
 * away when this broker is the only in-sync replica) while this broker still leads the epoch it appended in, and
 * fails with NOT_LEADER_OR_FOLLOWER (or NOT_ENOUGH_REPLICAS_AFTER_APPEND) otherwise, as acks=all produce does
 * ({@link Partition#replicationOutcome}). Every waiter is answered: two appends may end at the same offset (one in an
 * old epoch, truncated, one in the new), so waiters are ordered by offset and arrival. Replay reads to the log end, as
 * Kafka's coordinator load does: records an earlier leader acknowledged may lie above this new leader's high
 * watermark until its followers fetch them. Transactional batches (the group coordinator's TxnOffsetCommit records)
 * carry the producer's id and epoch without a sequence; replay reports them with their producer id and reports each
 * COMMIT/ABORT control batch where it lies. Thread-safe.
 */
final class OffsetsTopicLog implements CoordinatorLog {
    private static final int READ_BYTES = 1024 * 1024;
    /** Positions in a v2 batch header (Kafka's record batch format). */
    private static final int ATTRIBUTES_OFFSET = 21;

    private static final int BASE_SEQUENCE_OFFSET = 53;

    private final PartitionRegistry partitions;
    private static final Comparator<Waiter> BY_END =
            Comparator.comparingLong(Waiter::end).thenComparingLong(Waiter::sequence);

    /** Per partition: the commits waiting, by end offset (exclusive), then by arrival. */
    private final Map<Integer, ConcurrentSkipListSet<Waiter>> waiting = new ConcurrentHashMap<>();

    private final AtomicLong sequence = new AtomicLong();

    /**
     * A commit appended as leader of {@code leaderEpoch}, waiting for the high watermark to pass {@code end};
     * {@code sequence} tells apart two waiters with the same end.
     */
    private record Waiter(int leaderEpoch, long end, long sequence, CompletableFuture<Void> future) {}

    OffsetsTopicLog(PartitionRegistry partitions) {
        this.partitions = partitions;
        partitions.addHighWatermarkListener(this::partitionChanged);
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, partition);
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<SimpleRecord> records) {
        return appendBatch(
                partition, MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new)));
    }

    @Override
    public CompletableFuture<Void> appendTransactional(
            int partition, long producerId, short producerEpoch, List<SimpleRecord> records) {
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(
                Compression.NONE, producerId, producerEpoch, 0, records.toArray(SimpleRecord[]::new));
        return appendBatch(partition, withoutSequence(batch));
    }

    /**
     * Clears the base sequence of a single v2 batch (the builder insists on one for a producer id) and re-seals its
     * CRC: the partition's producer state then checks only the epoch of the coordinator's batch, which is not part of
     * the producer's own sequence (see ProducerStateManager).
     */
    private static MemoryRecords withoutSequence(MemoryRecords records) {
        ByteBuffer buffer = records.buffer();
        int start = buffer.position();
        buffer.putInt(start + BASE_SEQUENCE_OFFSET, RecordBatch.NO_SEQUENCE);
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(start + ATTRIBUTES_OFFSET).limit(start + records.sizeInBytes()));
        buffer.putInt(start + DefaultRecordBatch.CRC_OFFSET, (int) crc.getValue());
        return records;
    }

    private CompletableFuture<Void> appendBatch(int partition, MemoryRecords batch) {
        Partition local = partitions.get(tp(partition)).orElse(null);
        if (local == null) {
            return CompletableFuture.failedFuture(
                    new NotLeaderOrFollowerException("__consumer_offsets-" + partition + " is not hosted here"));
        }
        Partition.LeaderAppend appended;
        try {
            appended = local.appendAsLeader(batch, (short) -1);
        } catch (ApiException e) {
            return CompletableFuture.failedFuture(e);
        }
        Waiter waiter = new Waiter(
                appended.leaderEpoch(),
                appended.result().lastOffset() + 1,
                sequence.incrementAndGet(),
                new CompletableFuture<>());
        if (tryComplete(local, waiter)) {
            return waiter.future();
        }
        waiting.computeIfAbsent(partition, p -> new ConcurrentSkipListSet<>(BY_END))
                .add(waiter);
        partitionChanged(tp(partition)); // the watermark or leadership may have moved before the registration
        return waiter.future();
    }

    /** Answers {@code waiter} if its outcome is known; returns whether it is answered. */
    private static boolean tryComplete(Partition partition, Waiter waiter) {
        Optional<Errors> outcome = partition.replicationOutcome(waiter.leaderEpoch(), waiter.end());
        if (outcome.isEmpty()) {
            return false;
        }
        if (outcome.get() == Errors.NONE) {
            waiter.future().complete(null);
        } else {
            waiter.future().completeExceptionally(outcome.get().exception());
        }
        return true;
    }

    private void partitionChanged(TopicPartition tp) {
        if (!tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
            return;
        }
        ConcurrentSkipListSet<Waiter> pending = waiting.get(tp.partition());
        if (pending == null || pending.isEmpty()) {
            return;
        }
        Optional<Partition> partition = partitions.get(tp);
        pending.removeIf(waiter -> partition.isEmpty() ? failGone(waiter, tp) : tryComplete(partition.get(), waiter));
    }

    private static boolean failGone(Waiter waiter, TopicPartition tp) {
        waiter.future().completeExceptionally(new NotLeaderOrFollowerException(tp + " is no longer hosted here"));
        return true;
    }

    @Override
    public void replay(int partition, ReplaySink sink) {
        Partition local = partitions.get(tp(partition)).orElse(null);
        if (local == null) {
            return;
        }
        PartitionLog log = local.log();
        long end = log.logEndOffset();
        long offset = log.logStartOffset();
        while (offset < end) {
            FetchSlice slice = log.read(offset, READ_BYTES, end, true);
            long next = offset;
            for (RecordBatch batch : slice.records().batches()) {
                if (batch.lastOffset() < offset) {
                    continue;
                }
                if (batch.isControlBatch()) {
                    replayMarker(batch, sink);
                } else {
                    long producerId = batch.isTransactional() ? batch.producerId() : RecordBatch.NO_PRODUCER_ID;
                    for (Record record : batch) {
                        if (record.offset() >= offset && record.offset() < end) {
                            sink.record(record, producerId);
                        }
                    }
                }
                next = batch.nextOffset();
            }
            if (next == offset) {
                break;
            }
            offset = next;
        }
    }

    private static void replayMarker(RecordBatch batch, ReplaySink sink) {
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return; // emptied by compaction: the transaction's records are gone too
        }
        Record record = records.next();
        if (!record.hasKey()) {
            return;
        }
        ControlRecordType type = ControlRecordType.parse(record.key());
        if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
            sink.marker(batch.baseOffset(), batch.producerId(), type == ControlRecordType.COMMIT);
        }
    }
}
