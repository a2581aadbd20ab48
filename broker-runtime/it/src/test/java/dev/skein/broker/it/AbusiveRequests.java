package dev.skein.broker.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;

/**
 * Requests a well-behaved client never sends but a hostile or broken one can: each is well-formed at the protocol
 * level (built with kafka-clients' message classes) and abusive in its content. Apache Kafka 4.4 refuses most of
 * them; the differential test checks Skein refuses them at least as strictly. The cases that may take a broker down
 * (a partition count of 2^31-1) come last in {@link #all()}.
 */
final class AbusiveRequests {
    static final String TOPIC = "diff";
    static final String OFFSETS_TOPIC = "__consumer_offsets";
    /** Created on both brokers before the cases run (ComparedBroker looks up a transaction coordinator). */
    static final String TXN_STATE_TOPIC = "__transaction_state";
    /** Produce v12: the newest version addressing topics by name, and the first asking for transactions V2. */
    static final short PRODUCE_VERSION = 12;
    /** Fetch v12: the newest version carrying {@code replicaId} in the body rather than in {@code ReplicaState}. */
    static final short FETCH_VERSION = 12;

    private AbusiveRequests() {}

    /** What a case needs to know about the broker it is sent to. */
    record Target(int port, long producerId, short producerEpoch) {}

    /**
     * A named abuse: the requests to send in order (each on a fresh connection). {@code skeinMustRefuse} marks the
     * cases where Skein is meant to be stricter than Kafka 4.4 (which accepts them): Skein must answer an error.
     */
    record Case(
            String name,
            String description,
            Function<Target, List<AbstractRequest>> requests,
            boolean skeinMustRefuse) {
        Case(String name, String description, Function<Target, List<AbstractRequest>> requests) {
            this(name, description, requests, false);
        }
    }

    static List<Case> all() {
        List<Case> all = new java.util.ArrayList<>(produceCases());
        all.addAll(adminCases());
        all.addAll(internalAndAdminCases());
        return all;
    }

    /** Produce requests whose batches lie or that clients must not send. */
    private static List<Case> produceCases() {
        return List.of(
                new Case(
                        "count-max-twice",
                        "two Produce requests, each one batch claiming 2^31-1 records (lastOffsetDelta 2^31-2) holding 1",
                        t -> List.of(
                                produce(TOPIC, claimingCount(Integer.MAX_VALUE)),
                                produce(TOPIC, claimingCount(Integer.MAX_VALUE)))),
                new Case(
                        "count-5-holding-1",
                        "one batch declaring 5 records (lastOffsetDelta 4) holding 1",
                        t -> List.of(produce(TOPIC, claimingCount(5)))),
                new Case(
                        "offset-delta-mismatch",
                        "one batch with 1 record, count 1, but lastOffsetDelta 9",
                        t -> List.of(produce(
                                TOPIC, BatchBytes.edited(plain("d"), b -> b.putInt(BatchBytes.LAST_OFFSET_DELTA, 9))))),
                new Case(
                        "client-commit-marker",
                        "a COMMIT control batch (transactional, control) from a client, producer id from InitProducerId",
                        t -> List.of(produce(
                                TOPIC,
                                MemoryRecords.withEndTransactionMarker(
                                        0L,
                                        t.producerId(),
                                        t.producerEpoch(),
                                        new EndTransactionMarker(ControlRecordType.COMMIT, 0))))),
                new Case(
                        "client-commit-marker-txn-id",
                        "the same COMMIT control batch, with transactionalId diff-tx in the Produce request",
                        t -> List.of(produce(
                                TOPIC,
                                MemoryRecords.withEndTransactionMarker(
                                        0L,
                                        t.producerId(),
                                        t.producerEpoch(),
                                        new EndTransactionMarker(ControlRecordType.COMMIT, 0)),
                                (short) -1,
                                "diff-tx"))),
                new Case(
                        "transactional-unknown-producer",
                        "a transactional batch (transactionalId diff-unknown-tx) from producer id 987654 no coordinator knows",
                        t -> List.of(transactionalProduce(
                                "diff-unknown-tx",
                                MemoryRecords.withTransactionalRecords(
                                        Compression.NONE, 987_654L, (short) 0, 0, record("tx"))))),
                new Case(
                        "negative-sequence",
                        "an idempotent batch (producer id from InitProducerId) with baseSequence -5",
                        t -> List.of(produce(
                                TOPIC,
                                BatchBytes.edited(
                                        MemoryRecords.withIdempotentRecords(
                                                Compression.NONE, t.producerId(), t.producerEpoch(), 0, record("seq")),
                                        b -> b.putInt(BatchBytes.BASE_SEQUENCE, -5))))),
                new Case(
                        "two-batches-one-partition",
                        "two valid batches for the same partition in one Produce request",
                        t -> List.of(produce(TOPIC, BatchBytes.concat(plain("a"), plain("b"))))),
                new Case(
                        "far-future-timestamp",
                        "a CreateTime record stamped 10 days ahead (Kafka 4.0 message.timestamp.after.max.ms = 1 h)",
                        t -> List.of(produce(
                                TOPIC,
                                MemoryRecords.withRecords(
                                        Compression.NONE,
                                        new SimpleRecord(
                                                Instant.now()
                                                        .plus(Duration.ofDays(10))
                                                        .toEpochMilli(),
                                                null,
                                                "future".getBytes(StandardCharsets.UTF_8)))))),
                new Case(
                        "null-records",
                        "Produce with a partition whose records field is null (the field is nullable on the wire)",
                        t -> List.of(produce(TOPIC, null))),
                new Case(
                        "unknown-codec",
                        "a batch whose attributes name compression codec 7 (none exists), CRC recomputed",
                        t -> List.of(produce(
                                TOPIC,
                                BatchBytes.edited(plain("codec"), b -> b.putShort(BatchBytes.ATTRIBUTES, (short) 7))))),
                new Case(
                        "corrupt-gzip-stream",
                        "a gzip batch with 8 junk bytes appended to its compressed stream, length and CRC recomputed",
                        t -> List.of(produce(
                                TOPIC,
                                BatchBytes.withJunkInside(
                                        MemoryRecords.withRecords(
                                                Compression.gzip().build(), record("gz"), record("gz2")),
                                        8)))),
                new Case(
                        "junk-after-records",
                        "an uncompressed batch with 8 junk bytes after its last record, length and CRC recomputed",
                        t -> List.of(produce(TOPIC, BatchBytes.withJunkInside(plain("tail"), 8)))),
                new Case(
                        "bad-crc",
                        "a batch whose value byte was changed after the CRC was computed",
                        t -> List.of(produce(
                                TOPIC,
                                BatchBytes.editedKeepingCrc(
                                        plain("crc"),
                                        b -> b.put(b.limit() - 2, (byte) (b.get(b.limit() - 2) ^ 0x55)))))),
                new Case(
                        "magic-v1",
                        "a magic v1 (pre-0.11) message set on Produce v12",
                        t -> List.of(produce(
                                TOPIC,
                                MemoryRecords.withRecords(
                                        RecordBatch.MAGIC_VALUE_V1, Compression.NONE, record("v1"))))),
                new Case(
                        "magic-v0-produce-v3",
                        "a magic v0 message set on Produce v3 (the oldest version Kafka 4.4 parses)",
                        t -> List.of(produce(
                                TOPIC,
                                MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V0, Compression.NONE, record("v0")),
                                (short) -1,
                                null,
                                (short) 3))),
                new Case(
                        "magic-v1-gzip",
                        "a gzip-compressed magic v1 wrapper message on Produce v12",
                        t -> List.of(produce(
                                TOPIC,
                                MemoryRecords.withRecords(
                                        RecordBatch.MAGIC_VALUE_V1,
                                        Compression.gzip().build(),
                                        record("v1a"),
                                        record("v1b"))))),
                new Case(
                        "acks-5",
                        "a valid batch with acks=5",
                        t -> List.of(produce(TOPIC, plain("acks"), (short) 5, null))),
                new Case(
                        "producer-epoch-bump",
                        "an idempotent batch (producer id from a fresh InitProducerId, sequence 0), then one at epoch+1"
                                + " with sequence 0 and no InitProducerId, both from 127.0.0.1",
                        t -> epochBump(freshProducerId(t.port()))));
    }

    /** Admin requests with out-of-range arguments or racing their own effects. */
    private static List<Case> adminCases() {
        return List.of(
                new Case(
                        "elect-unknown-type",
                        "ElectLeaders v2 (preferred) for diff-0 with election type byte 7 (0 and 1 exist)",
                        t -> List.of(electLeaders((byte) 7))),
                new Case(
                        "delete-topic-timeout-0",
                        "CreateTopics diff-del0, DeleteTopics diff-del0 with timeoutMs 0, then with 5000",
                        t -> List.of(
                                createTopic("diff-del0", 1, null, null),
                                deleteTopic("diff-del0", 0),
                                deleteTopic("diff-del0", 5000))),
                new Case(
                        "create-topic-timeout-0",
                        "CreateTopics diff-cre0 with timeoutMs 0, then again with 5000",
                        t -> List.of(createTopic("diff-cre0", 1, 0), createTopic("diff-cre0", 1, 5000))),
                new Case(
                        "delete-topic-twice",
                        "CreateTopics diff-del2, DeleteTopics diff-del2, then DeleteTopics diff-del2 again",
                        t -> List.of(
                                createTopic("diff-del2", 1, null, null),
                                deleteTopic("diff-del2", 5000),
                                deleteTopic("diff-del2", 5000))));
    }

    /** Internal topics, replica-only requests, config floors and resource bombs (the bombs last). */
    private static List<Case> internalAndAdminCases() {
        return List.of(
                new Case(
                        "produce-consumer-offsets",
                        "a plain record produced to __consumer_offsets partition 0",
                        t -> List.of(produce(OFFSETS_TOPIC, plain("junk")))),
                new Case(
                        "produce-transaction-state",
                        "a plain record produced to __transaction_state partition 0",
                        t -> List.of(produce(TXN_STATE_TOPIC, plain("junk")))),
                new Case(
                        "delete-records-transaction-state",
                        "DeleteRecords on __transaction_state partition 0 up to the high watermark (-1)",
                        t -> List.of(deleteRecords(TXN_STATE_TOPIC))),
                new Case(
                        "client-write-txn-markers",
                        "WriteTxnMarkers (broker to broker) from a client: COMMIT for the diff producer, coordinator epoch"
                                + " 2^31-1 (would fence every real coordinator's later markers)",
                        t -> List.of(
                                new WriteTxnMarkersRequest.Builder(List.of(new WriteTxnMarkersRequest.TxnMarkerEntry(
                                                t.producerId(),
                                                t.producerEpoch(),
                                                Integer.MAX_VALUE,
                                                TransactionResult.COMMIT,
                                                List.of(new TopicPartition(TOPIC, 0)),
                                                (short) 0)))
                                        .build((short) 1))),
                new Case(
                        "fetch-replica-7",
                        "Fetch v12 with replicaId 7 (no such broker/replica)",
                        t -> List.of(fetchAsReplica(7))),
                new Case(
                        "alter-offsets-cleanup-policy",
                        "IncrementalAlterConfigs cleanup.policy=delete on __consumer_offsets",
                        t -> List.of(alterCleanupPolicy(OFFSETS_TOPIC)),
                        true),
                new Case(
                        "delete-records-consumer-offsets",
                        "DeleteRecords on __consumer_offsets partition 0 up to the high watermark (-1)",
                        t -> List.of(deleteRecords(OFFSETS_TOPIC))),
                new Case(
                        "create-segment-bytes-1000",
                        "CreateTopics with segment.bytes=1000 (Kafka 4.0 floor: 1 MiB)",
                        t -> List.of(createTopic("diff-tiny-segments", 1, "segment.bytes", "1000"))),
                new Case(
                        "delete-consumer-offsets",
                        "DeleteTopics __consumer_offsets",
                        t -> List.of(new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                                        .setTopicNames(List.of(OFFSETS_TOPIC))
                                        .setTimeoutMs(5000))
                                .build((short) 5)),
                        true),
                new Case(
                        "create-partitions-max",
                        "CreatePartitions raising topic diff to 2^31-1 partitions",
                        t -> List.of(createPartitions(TOPIC, Integer.MAX_VALUE))),
                new Case(
                        "create-topic-max-partitions",
                        "CreateTopics with num_partitions = 2^31-1, replication factor 1",
                        t -> List.of(createTopic("diff-huge", Integer.MAX_VALUE, null, null))));
    }

    /**
     * A producer id no earlier case has touched: Kafka keeps per-producer verification state from the transactional
     * cases, which would make it refuse even a first batch of the shared one.
     */
    static long freshProducerId(int port) {
        FrameExchange.Outcome init = FrameExchange.exchange(
                port,
                new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                                .setTransactionalId(null)
                                .setTransactionTimeoutMs(60_000))
                        .build((short) 4),
                ComparedBroker.TIMEOUT_MS);
        return ((InitProducerIdResponse) init.response()).data().producerId();
    }

    private static List<AbstractRequest> epochBump(long producerId) {
        return List.of(
                produce(
                        TOPIC,
                        MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, 0, record("e0"))),
                produce(
                        TOPIC,
                        MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 1, 0, record("e1"))));
    }

    static SimpleRecord record(String value) {
        return new SimpleRecord(value.getBytes(StandardCharsets.UTF_8));
    }

    static MemoryRecords plain(String value) {
        return MemoryRecords.withRecords(Compression.NONE, record(value));
    }

    /** One real record in a batch whose header claims {@code count} records (and the matching lastOffsetDelta). */
    static MemoryRecords claimingCount(int count) {
        return BatchBytes.edited(plain("claim"), b -> {
            b.putInt(BatchBytes.RECORDS_COUNT, count);
            b.putInt(BatchBytes.LAST_OFFSET_DELTA, count - 1);
        });
    }

    static ProduceRequest produce(String topic, MemoryRecords records) {
        return produce(topic, records, (short) -1, null);
    }

    static ProduceRequest transactionalProduce(String transactionalId, MemoryRecords records) {
        return produce(TOPIC, records, (short) -1, transactionalId);
    }

    static ProduceRequest produce(String topic, MemoryRecords records, short acks, String transactionalId) {
        return produce(topic, records, acks, transactionalId, PRODUCE_VERSION);
    }

    static ProduceRequest produce(
            String topic, MemoryRecords records, short acks, String transactionalId, short version) {
        ProduceRequestData data =
                new ProduceRequestData().setAcks(acks).setTimeoutMs(5000).setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
        topicData
                .partitionData()
                .add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topicData);
        return new ProduceRequest(data, version);
    }

    static FetchRequest fetchAsReplica(int replicaId) {
        FetchRequestData data = new FetchRequestData()
                .setReplicaId(replicaId)
                .setMaxWaitMs(0)
                .setMinBytes(0)
                .setMaxBytes(1 << 20);
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic(TOPIC);
        topic.partitions()
                .add(new FetchRequestData.FetchPartition()
                        .setPartition(0)
                        .setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 20));
        data.topics().add(topic);
        return new FetchRequest(data, FETCH_VERSION);
    }

    /** CreateTopics v7 of one topic without configs, with the request's {@code timeoutMs}. */
    static CreateTopicsRequest createTopic(String name, int partitions, int timeoutMs) {
        CreateTopicsRequest request = createTopic(name, partitions, null, null);
        request.data().setTimeoutMs(timeoutMs);
        return request;
    }

    static CreateTopicsRequest createTopic(String name, int partitions, String configKey, String configValue) {
        CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic()
                .setName(name)
                .setNumPartitions(partitions)
                .setReplicationFactor((short) 1);
        if (configKey != null) {
            topic.configs()
                    .add(new CreateTopicsRequestData.CreatableTopicConfig()
                            .setName(configKey)
                            .setValue(configValue));
        }
        CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5000);
        data.topics().add(topic);
        return new CreateTopicsRequest.Builder(data).build((short) 7);
    }

    /** ElectLeaders v2 for {@value #TOPIC}-0 whose election type byte is {@code type}. */
    static ElectLeadersRequest electLeaders(byte type) {
        ElectLeadersRequest request = new ElectLeadersRequest.Builder(
                        ElectionType.PREFERRED, List.of(new TopicPartition(TOPIC, 0)), 5000)
                .build((short) 2);
        request.data().setElectionType(type);
        return request;
    }

    static DeleteTopicsRequest deleteTopic(String name, int timeoutMs) {
        return new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                        .setTopicNames(List.of(name))
                        .setTimeoutMs(timeoutMs))
                .build((short) 5);
    }

    static CreatePartitionsRequest createPartitions(String topic, int count) {
        CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(5000);
        data.topics()
                .add(new CreatePartitionsRequestData.CreatePartitionsTopic()
                        .setName(topic)
                        .setCount(count)
                        .setAssignments(null));
        return new CreatePartitionsRequest.Builder(data).build((short) 3);
    }

    static IncrementalAlterConfigsRequest alterCleanupPolicy(String topic) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType((byte) 2)
                        .setResourceName(topic);
        resource.configs()
                .add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                        .setName("cleanup.policy")
                        .setConfigOperation((byte) 0)
                        .setValue("delete"));
        IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData();
        data.resources().add(resource);
        return new IncrementalAlterConfigsRequest.Builder(data).build((short) 1);
    }

    static DeleteRecordsRequest deleteRecords(String topic) {
        DeleteRecordsRequestData.DeleteRecordsTopic topicData =
                new DeleteRecordsRequestData.DeleteRecordsTopic().setName(topic);
        topicData
                .partitions()
                .add(new DeleteRecordsRequestData.DeleteRecordsPartition()
                        .setPartitionIndex(0)
                        .setOffset(-1L));
        DeleteRecordsRequestData data = new DeleteRecordsRequestData().setTimeoutMs(5000);
        data.topics().add(topicData);
        return new DeleteRecordsRequest.Builder(data).build((short) 2);
    }
}
