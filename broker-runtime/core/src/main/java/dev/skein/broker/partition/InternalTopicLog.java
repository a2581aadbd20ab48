package dev.skein.broker.partition;

import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.log.PartitionLog.FetchSlice;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
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
 * A coordinator's own internal topic ({@code __consumer_offsets}, {@code __transaction_state}) on the local partitions
 * of this broker. An append is one batch written as leader with acks=all; its future completes when the partition's
 * high watermark passes the batch (right away when this broker is the only in-sync replica) while this broker still
 * leads the epoch it appended in, and fails with NOT_LEADER_OR_FOLLOWER (or NOT_ENOUGH_REPLICAS /
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND) otherwise, as acks=all produce does ({@link Partition#replicationOutcome}). The
 * caller's thread never waits for replication. Every waiter is answered: two appends may end at the same offset (one
 * in an old epoch, truncated, one in the new), so waiters are ordered by offset and arrival. Replay reads to the log
 * end, as Kafka's coordinator load does: records an earlier leader acknowledged may lie above this new leader's high
 * watermark until its followers fetch them. Thread-safe.
 */
public final class InternalTopicLog {
    private static final int READ_BYTES = 1024 * 1024;
    private static final Comparator<Waiter> BY_END =
            Comparator.comparingLong(Waiter::end).thenComparingLong(Waiter::sequence);

    private final PartitionRegistry partitions;
    private final String topic;
    /** Per partition: the appends waiting, by end offset (exclusive), then by arrival. */
    private final Map<Integer, ConcurrentSkipListSet<Waiter>> waiting = new ConcurrentHashMap<>();

    private final AtomicLong sequence = new AtomicLong();

    /**
     * An append made as leader of {@code leaderEpoch}, waiting for the high watermark to pass {@code end};
     * {@code sequence} tells apart two waiters with the same end.
     */
    private record Waiter(int leaderEpoch, long end, long sequence, CompletableFuture<Void> future) {}

    /** What a replay reports, in log order. */
    public interface ReplayVisitor {
        /** A data record of {@code batch} (a non-control batch). */
        void record(RecordBatch batch, Record record);

        /** A control batch (transaction marker); the default ignores it. */
        default void controlBatch(RecordBatch batch) {}
    }

    /** Serves the local partitions of {@code topic} in {@code partitions}. */
    public InternalTopicLog(PartitionRegistry partitions, String topic) {
        this.partitions = partitions;
        this.topic = topic;
        partitions.addHighWatermarkListener(this::partitionChanged);
    }

    private TopicPartition tp(int partition) {
        return new TopicPartition(topic, partition);
    }

    /** The leader epoch of {@code partition} if this broker leads it, else -1. */
    public int leaderEpoch(int partition) {
        return partitions
                .get(tp(partition))
                .filter(Partition::isLeader)
                .map(Partition::leaderEpoch)
                .orElse(-1);
    }

    /** Appends {@code records} as one uncompressed, non-transactional batch; see {@link #append(int, MemoryRecords)}. */
    public CompletableFuture<Void> append(int partition, List<SimpleRecord> records) {
        return append(partition, MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new)));
    }

    /**
     * Appends {@code batch} to {@code partition} as leader with acks=all. The future completes once the batch is
     * committed (below the high watermark) in the epoch it was appended in, and fails with the append's
     * {@code ApiException} otherwise. Never blocks on replication.
     */
    public CompletableFuture<Void> append(int partition, MemoryRecords batch) {
        TopicPartition tp = tp(partition);
        Partition local = partitions.get(tp).orElse(null);
        if (local == null) {
            return CompletableFuture.failedFuture(new NotLeaderOrFollowerException(tp + " is not hosted here"));
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
        partitionChanged(tp); // the watermark or leadership may have moved before the registration
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

    /**
     * Feeds {@code partition} from its log start to its log end to {@code visitor}, in offset order: each record of a
     * data batch, and each control batch at its place between them. Does nothing if the partition is not hosted here.
     */
    public void replay(int partition, ReplayVisitor visitor) {
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
                    visitor.controlBatch(batch);
                } else {
                    for (Record record : batch) {
                        if (record.offset() >= offset && record.offset() < end) {
                            visitor.record(batch, record);
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
