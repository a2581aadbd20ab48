package dev.skein.broker.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * Produce requests built from kafka-clients' classes around record bytes a test has built or mutated, and the batch
 * header surgery such tests need (field offsets of the v2 batch format, CRC-32C resealing).
 */
final class RawProduce {
    static final int LENGTH_OFFSET = 8;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int BASE_SEQUENCE_OFFSET = 53;
    static final int RECORDS_COUNT_OFFSET = 57;
    static final int RECORDS_OFFSET = 61;

    private RawProduce() {}

    /** Sends {@code records} to partition 0 of {@code topic} (by name, v12) with acks=1; returns its response. */
    static PartitionProduceResponse produce(RawConnection raw, String topic, ByteBuffer records) throws IOException {
        return produce(raw, topic, records, (short) 12, null);
    }

    static PartitionProduceResponse produce(
            RawConnection raw, String topic, ByteBuffer records, short version, String transactionalId)
            throws IOException {
        ProduceRequestData data =
                new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000).setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
        topicData
                .partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.readableRecords(records.duplicate())));
        data.topicData().add(topicData);
        AbstractResponse response = raw.send(new ProduceRequest(data, version));
        return ((ProduceResponse) response)
                .data()
                .responses()
                .iterator()
                .next()
                .partitionResponses()
                .get(0);
    }

    /**
     * One idempotent acks=all batch of {@code values} for partition 0 of {@code topic} (by id, v13), sent on a
     * connection of its own; returns its response.
     */
    static PartitionProduceResponse idempotentAcksAll(
            int port,
            String topic,
            Uuid topicId,
            long producerId,
            short epoch,
            int sequence,
            int timeoutMs,
            String... values)
            throws IOException {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords batch =
                MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, sequence, records);
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(timeoutMs);
        ProduceRequestData.TopicProduceData topicData =
                new ProduceRequestData.TopicProduceData().setName(topic).setTopicId(topicId);
        topicData
                .partitionData()
                .add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch));
        data.topicData().add(topicData);
        try (RawConnection raw = new RawConnection(port)) {
            ProduceResponse response = (ProduceResponse) raw.send(new ProduceRequest(data, (short) 13));
            return response.data()
                    .responses()
                    .iterator()
                    .next()
                    .partitionResponses()
                    .get(0);
        }
    }

    static Errors error(PartitionProduceResponse response) {
        return Errors.forCode(response.errorCode());
    }

    /** A producer id handed out by the broker (idempotent, epoch 0). */
    static long initProducerId(RawConnection raw) throws IOException {
        InitProducerIdResponse init = (InitProducerIdResponse) raw.send(new InitProducerIdRequest.Builder(
                        new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000))
                .build((short) 4));
        if (init.error() != Errors.NONE) {
            throw new IllegalStateException("InitProducerId failed: " + init.error());
        }
        return init.data().producerId();
    }

    /** A copy of the bytes of {@code records}, positioned at 0, for mutation. */
    static ByteBuffer copy(MemoryRecords records) {
        ByteBuffer source = records.buffer().duplicate();
        ByteBuffer copy = ByteBuffer.allocate(source.remaining());
        copy.put(source).flip();
        return copy;
    }

    /** Two buffers one after the other. */
    static ByteBuffer concat(ByteBuffer first, ByteBuffer second) {
        ByteBuffer both = ByteBuffer.allocate(first.remaining() + second.remaining());
        both.put(first.duplicate()).put(second.duplicate()).flip();
        return both;
    }

    /** Sets the declared record count and last offset delta of the batch at position 0, then reseals its CRC. */
    static ByteBuffer declareRecords(ByteBuffer batch, int count) {
        batch.putInt(RECORDS_COUNT_OFFSET, count);
        batch.putInt(LAST_OFFSET_DELTA_OFFSET, count - 1);
        return reseal(batch);
    }

    /** Recomputes the CRC-32C of the batch at position 0 (attributes to end), as a client would have sent it. */
    static ByteBuffer reseal(ByteBuffer batch) {
        int end = LENGTH_OFFSET + 4 + batch.getInt(LENGTH_OFFSET);
        CRC32C crc = new CRC32C();
        crc.update(batch.array(), ATTRIBUTES_OFFSET, end - ATTRIBUTES_OFFSET);
        batch.putInt(CRC_OFFSET, (int) crc.getValue());
        return batch;
    }
}
