package dev.skein.broker.txn.coordinator;

import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.log.PartitionLog.FetchSlice;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * A coordinator's own internal topic on the local partitions this broker leads (here {@code __transaction_state}; the
 * same pattern as the group coordinator's {@code OffsetsTopicLog}, with the topic as a parameter). An append is one
 * uncompressed batch written as leader with acks=all; its future completes when the partition's high watermark passes
 * the batch while this broker still leads the epoch it appended in, and fails with NOT_LEADER_OR_FOLLOWER (or
 * NOT_ENOUGH_REPLICAS / NOT_ENOUGH_REPLICAS_AFTER_APPEND) otherwise ({@link Partition#replicationOutcome}). The caller's
 * thread never waits for replication. Replay reads to the log end, as Kafka's coordinator load does. Thread-safe.
 */
public final class CoordinatorTopicLog implements StateLog {
    private static final int READ_BYTES = 1024 * 1024;
    private static final Comparator<Waiter> BY_END =
            Comparator.comparingLong(Waiter::end).thenComparingLong(Waiter::sequence);

    private final PartitionRegistry partitions;
    private final String topic;
    /** Per partition: the appends waiting, by end offset (exclusive), then by arrival. */
    private final Map<Integer, ConcurrentSkipListSet<Waiter>> waiting = new ConcurrentHashMap<>();

    private final AtomicLong sequence = new AtomicLong();

    private record Waiter(int leaderEpoch, long end, long sequence, CompletableFuture<Void> future) {}

    public CoordinatorTopicLog(PartitionRegistry partitions, String topic) {
        this.partitions = partitions;
        this.topic = topic;
        partitions.addHighWatermarkListener(this::partitionChanged);
    }

    @Override
    public int leaderEpoch(int partition) {
        return partitions
                .get(new TopicPartition(topic, partition))
                .filter(Partition::isLeader)
                .map(Partition::leaderEpoch)
                .orElse(-1);
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<SimpleRecord> records) {
        TopicPartition tp = new TopicPartition(topic, partition);
        Partition local = partitions.get(tp).orElse(null);
        if (local == null) {
            return CompletableFuture.failedFuture(new NotLeaderOrFollowerException(tp + " is not hosted here"));
        }
        Partition.LeaderAppend appended;
        try {
            appended = local.appendAsLeader(
                    MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new)), (short) -1);
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
        partitionChanged(tp); // the watermark or leadership may have moved before the registration
        return waiter.future();
    }

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
        if (!tp.topic().equals(topic)) {
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
    public void replay(int partition, Consumer<Record> sink) {
        Partition local = partitions.get(new TopicPartition(topic, partition)).orElse(null);
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
                if (batch.lastOffset() >= offset && !batch.isControlBatch()) {
                    for (Record record : batch) {
                        if (record.offset() >= offset && record.offset() < end) {
                            sink.accept(record);
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
}
