package dev.skein.broker.group;

import dev.skein.broker.partition.InternalTopicLog;
import dev.skein.broker.partition.PartitionRegistry;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * {@link CoordinatorLog} on the local partitions of {@code __consumer_offsets}: appends and replay are those of
 * {@link InternalTopicLog} (acks=all, futures completed at the high watermark in the epoch appended in, replay to the
 * log end). On top of it, transactional batches (the group coordinator's TxnOffsetCommit records) carry the producer's
 * id and epoch without a sequence; replay reports them with their producer id and reports each COMMIT/ABORT control
 * batch where it lies. Thread-safe.
 */
final class OffsetsTopicLog implements CoordinatorLog {
    /** Positions in a v2 batch header (Kafka's record batch format). */
    private static final int ATTRIBUTES_OFFSET = 21;

    private static final int BASE_SEQUENCE_OFFSET = 53;

    private final InternalTopicLog topicLog;

    OffsetsTopicLog(PartitionRegistry partitions) {
        this.topicLog = new InternalTopicLog(partitions, Topic.GROUP_METADATA_TOPIC_NAME);
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<SimpleRecord> records) {
        return topicLog.append(partition, records);
    }

    @Override
    public CompletableFuture<Void> appendTransactional(
            int partition, long producerId, short producerEpoch, List<SimpleRecord> records) {
        MemoryRecords batch = MemoryRecords.withTransactionalRecords(
                Compression.NONE, producerId, producerEpoch, 0, records.toArray(SimpleRecord[]::new));
        return topicLog.append(partition, withoutSequence(batch));
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

    @Override
    public void replay(int partition, ReplaySink sink) {
        topicLog.replay(partition, new InternalTopicLog.ReplayVisitor() {
            @Override
            public void record(RecordBatch batch, Record record) {
                sink.record(record, batch.isTransactional() ? batch.producerId() : RecordBatch.NO_PRODUCER_ID);
            }

            @Override
            public void controlBatch(RecordBatch batch) {
                replayMarker(batch, sink);
            }
        });
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
