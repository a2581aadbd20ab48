package dev.skein.broker.group;

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
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
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
 * watermark until its followers fetch them. Thread-safe.
 */
final class OffsetsTopicLog implements CoordinatorLog {
    private static final int READ_BYTES = 1024 * 1024;

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
        Partition local = partitions.get(tp(partition)).orElse(null);
        if (local == null) {
            return CompletableFuture.failedFuture(
                    new NotLeaderOrFollowerException("__consumer_offsets-" + partition + " is not hosted here"));
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
    public void replay(int partition, Consumer<Record> sink) {
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
                if (!batch.isControlBatch()) {
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
