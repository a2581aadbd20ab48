package dev.skein.broker.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/** Raw transactional requests for tests: transactional batches, WriteTxnMarkers, isolation-aware Fetch and ListOffsets. */
final class RawTxn {
    private RawTxn() {}

    static MemoryRecords txnBatch(long producerId, short epoch, int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, sequence, records);
    }

    static MemoryRecords plainBatch(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** Sends {@code records} to {@code tp} (by name, v12) with the given acks and transactional id; returns its error. */
    static Errors produce(
            RawConnection raw, TopicPartition tp, MemoryRecords records, short acks, String transactionalId)
            throws IOException {
        return produce(raw, tp, records, acks, transactionalId, (short) 12);
    }

    /** Like {@link #produce(RawConnection, TopicPartition, MemoryRecords, short, String)} at {@code version} (3-12). */
    static Errors produce(
            RawConnection raw,
            TopicPartition tp,
            MemoryRecords records,
            short acks,
            String transactionalId,
            short version)
            throws IOException {
        ProduceRequestData data =
                new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000).setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(tp.topic());
        topic.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(tp.partition())
                        .setRecords(records));
        data.topicData().add(topic);
        ProduceResponse response = (ProduceResponse) raw.send(new ProduceRequest(data, version));
        return Errors.forCode(response.data()
                .responses()
                .iterator()
                .next()
                .partitionResponses()
                .get(0)
                .errorCode());
    }

    /** Sends one WriteTxnMarkers (v1) for partition {@code tp}; returns that partition's error. */
    static Errors writeMarker(
            RawConnection raw, TopicPartition tp, long producerId, short epoch, int coordinatorEpoch, boolean commit)
            throws IOException {
        WriteTxnMarkersRequestData data = new WriteTxnMarkersRequestData();
        data.markers()
                .add(new WritableTxnMarker()
                        .setProducerId(producerId)
                        .setProducerEpoch(epoch)
                        .setCoordinatorEpoch(coordinatorEpoch)
                        .setTransactionResult(commit)
                        .setTopics(List.of(new WritableTxnMarkerTopic()
                                .setName(tp.topic())
                                .setPartitionIndexes(List.of(tp.partition())))));
        WriteTxnMarkersResponse response =
                (WriteTxnMarkersResponse) raw.send(new WriteTxnMarkersRequest.Builder(data).build((short) 1));
        return response.errorsByProducerId().get(producerId).get(tp);
    }

    static FetchResponseData.PartitionData fetch(
            RawConnection raw, TopicPartition tp, long offset, IsolationLevel isolation, int maxWaitMs, int minBytes)
            throws IOException {
        Map<TopicPartition, FetchRequest.PartitionData> wanted =
                Map.of(tp, new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, 0L, 1 << 20, Optional.empty()));
        FetchResponse response =
                (FetchResponse) raw.send(FetchRequest.Builder.forConsumer((short) 12, maxWaitMs, minBytes, wanted)
                        .isolationLevel(isolation)
                        .build((short) 12));
        return response.data().responses().get(0).partitions().get(0);
    }

    static FetchResponseData.PartitionData fetch(
            RawConnection raw, TopicPartition tp, long offset, IsolationLevel isolation) throws IOException {
        return fetch(raw, tp, offset, isolation, 0, 0);
    }

    /** Offsets of every record in a fetched partition. */
    static List<Long> offsets(FetchResponseData.PartitionData data) {
        List<Long> offsets = new java.util.ArrayList<>();
        ((MemoryRecords) data.records()).records().forEach(record -> offsets.add(record.offset()));
        return offsets;
    }

    static long latest(RawConnection raw, TopicPartition tp, IsolationLevel isolation) throws IOException {
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(false, isolation)
                .setTargetTimes(List.of(new ListOffsetsTopic()
                        .setName(tp.topic())
                        .setPartitions(List.of(new ListOffsetsPartition()
                                .setPartitionIndex(tp.partition())
                                .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)))))
                .build((short) 7);
        ListOffsetsResponse response = (ListOffsetsResponse) raw.send(request);
        return response.data().topics().get(0).partitions().get(0).offset();
    }
}
