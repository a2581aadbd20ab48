package dev.skein.broker.group;

import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.log.PartitionLog.AppendResult;
import dev.skein.broker.log.PartitionLog.FetchSlice;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * {@link CoordinatorLog} on the local partitions of {@code __consumer_offsets}. An append is one uncompressed batch
 * written as leader with acks=all; its future completes when the partition's high watermark passes the batch (right
 * away when this broker is the only in-sync replica). Thread-safe.
 */
final class OffsetsTopicLog implements CoordinatorLog {
    private static final int READ_BYTES = 1024 * 1024;

    private final PartitionRegistry partitions;
    /** Per partition: end offset (exclusive) a commit waits for → its future. */
    private final Map<Integer, ConcurrentSkipListMap<Long, CompletableFuture<Void>>> waiting =
            new ConcurrentHashMap<>();

    OffsetsTopicLog(PartitionRegistry partitions) {
        this.partitions = partitions;
        partitions.addHighWatermarkListener(this::highWatermarkAdvanced);
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
        AppendResult result;
        try {
            result = local.appendAsLeader(
                            MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new)),
                            (short) -1)
                    .result();
        } catch (ApiException e) {
            return CompletableFuture.failedFuture(e);
        }
        long needed = result.lastOffset() + 1;
        if (local.log().highWatermark() >= needed) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        waiting.computeIfAbsent(partition, p -> new ConcurrentSkipListMap<>()).put(needed, future);
        highWatermarkAdvanced(tp(partition)); // the watermark may have moved before the registration
        return future;
    }

    private void highWatermarkAdvanced(TopicPartition tp) {
        if (!tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
            return;
        }
        ConcurrentSkipListMap<Long, CompletableFuture<Void>> pending = waiting.get(tp.partition());
        if (pending == null) {
            return;
        }
        long hw = partitions.get(tp).map(p -> p.log().highWatermark()).orElse(-1L);
        Iterator<Map.Entry<Long, CompletableFuture<Void>>> it =
                pending.headMap(hw, true).entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, CompletableFuture<Void>> e = it.next();
            it.remove();
            e.getValue().complete(null);
        }
    }

    @Override
    public void replay(int partition, Consumer<Record> sink) {
        Partition local = partitions.get(tp(partition)).orElse(null);
        if (local == null) {
            return;
        }
        PartitionLog log = local.log();
        long end = log.highWatermark();
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
