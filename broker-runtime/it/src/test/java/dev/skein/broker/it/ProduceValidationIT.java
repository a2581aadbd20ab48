package dev.skein.broker.it;

import static dev.skein.broker.it.RawProduce.error;
import static dev.skein.broker.it.RawProduce.produce;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Produce requests whose record bytes lie about themselves, sent as raw frames built with kafka-clients' classes:
 * each is refused with the error code Kafka 4.4 answers (or stricter where noted), and the partition's end offset
 * does not move.
 */
class ProduceValidationIT {
    private static final String TOPIC = "validated";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dataDir;

    BrokerHarness harness;
    RawConnection raw;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir);
        harness.createTopic(TOPIC, 1, Map.of());
        raw = new RawConnection(harness.broker().port());
    }

    @AfterEach
    void stop() throws Exception {
        raw.close();
        harness.close();
    }

    @Test
    void twoBatchesClaimingTwoBillionRecordsEachAreRefusedAndTheEndOffsetStays() throws Exception {
        assertThat(error(produce(raw, TOPIC, RawProduce.copy(records("first")))))
                .isEqualTo(Errors.NONE);
        ByteBuffer liar = RawProduce.declareRecords(RawProduce.copy(records("one")), Integer.MAX_VALUE);
        ByteBuffer twoLiars = RawProduce.concat(liar, liar);

        assertThat(error(produce(raw, TOPIC, twoLiars))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(error(produce(raw, TOPIC, liar))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(endOffset()).isEqualTo(1);
    }

    @Test
    void twoHonestBatchesForOnePartitionAreRefusedAsKafkaDoes() throws Exception {
        ByteBuffer both = RawProduce.concat(RawProduce.copy(records("a")), RawProduce.copy(records("b")));
        assertThat(error(produce(raw, TOPIC, both))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(endOffset()).isZero();
    }

    @Test
    void batchDeclaringMoreRecordsThanItHoldsIsRefused() throws Exception {
        ByteBuffer plain = RawProduce.declareRecords(RawProduce.copy(records("only")), 5);
        ByteBuffer lz4 = RawProduce.declareRecords(
                RawProduce.copy(MemoryRecords.withRecords(Compression.lz4().build(), record("only"))), 5);
        ByteBuffer fewer = RawProduce.declareRecords(RawProduce.copy(records("a", "b", "c")), 2);

        assertThat(error(produce(raw, TOPIC, plain))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(error(produce(raw, TOPIC, lz4))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(error(produce(raw, TOPIC, fewer))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(endOffset()).isZero();
    }

    @Test
    void recordsWhoseOffsetDeltasAreNotInOrderAreRefused() throws Exception {
        long ts = System.currentTimeMillis();
        ByteBuffer batch = RawProduce.copy(MemoryRecords.withRecords(
                Compression.NONE,
                new SimpleRecord(ts, null, v("x")),
                new SimpleRecord(ts, null, v("y")),
                new SimpleRecord(ts, null, v("z"))));
        // record layout: length varint, attributes, timestamp delta (0: one byte), offset delta (zig-zag varint)
        int firstLength = batch.get(RawProduce.RECORDS_OFFSET) >> 1;
        int secondOffsetDelta = RawProduce.RECORDS_OFFSET + 1 + firstLength + 3;
        assertThat(batch.get(secondOffsetDelta)).isEqualTo((byte) 2); // delta 1
        batch.put(secondOffsetDelta, (byte) 4); // delta 2: deltas are now 0, 2, 2
        RawProduce.reseal(batch);

        assertThat(error(produce(raw, TOPIC, batch))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(endOffset()).isZero();
    }

    @Test
    void compressionBombIsRefusedWithoutInflatingIt() throws Exception {
        byte[] zeros = new byte[64 * 1024];
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                ByteBuffer.allocate(1 << 20), Compression.lz4().build(), TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < 1100; i++) { // 1100 * 64 KiB: above the 64 MiB budget once decompressed
            builder.append(new SimpleRecord(System.currentTimeMillis(), null, zeros));
        }
        MemoryRecords bomb = builder.build();
        assertThat(bomb.sizeInBytes()).isLessThan(1024 * 1024);

        assertThat(error(produce(raw, TOPIC, RawProduce.copy(bomb)))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(endOffset()).isZero();
    }

    @Test
    void undecodableCompressedRecordsAreRefusedAsCorrupt() throws Exception {
        byte[] noise = new byte[2000];
        new Random(15).nextBytes(noise);
        ByteBuffer batch =
                RawProduce.copy(MemoryRecords.withRecords(Compression.lz4().build(), new SimpleRecord(noise)));
        for (int i = 0; i < 16; i++) { // the lz4 frame's descriptor and first block size
            batch.put(RawProduce.RECORDS_OFFSET + 4 + i, (byte) 0xff);
        }
        RawProduce.reseal(batch);

        assertThat(error(produce(raw, TOPIC, batch))).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(endOffset()).isZero();
    }

    @Test
    void controlBatchesFromClientsAreRefused() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        ByteBuffer commit = RawProduce.copy(MemoryRecords.withEndTransactionMarker(
                producerId, (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 0)));
        // A marker is transactional: without a transactional id Kafka refuses the whole request at authorization.
        assertThat(error(produce(raw, TOPIC, commit, (short) 12, null)))
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        // With one, Kafka 4.4 answers INVALID_PRODUCER_ID_MAPPING once its transaction coordinator is loaded: the
        // coordinator verifies the (unknown) transaction before any record validation. Skein answers the same.
        TxnRequests.awaitCoordinator(harness.broker().port(), "tx");
        assertThat(error(produce(raw, TOPIC, commit, (short) 12, "tx"))).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        // The control bit alone (transactional bit cleared) is refused by the record validation.
        ByteBuffer bare = RawProduce.copy(MemoryRecords.withEndTransactionMarker(
                producerId, (short) 0, new EndTransactionMarker(ControlRecordType.ABORT, 0)));
        bare.putShort(RawProduce.ATTRIBUTES_OFFSET, (short) (bare.getShort(RawProduce.ATTRIBUTES_OFFSET) & ~0x10));
        RawProduce.reseal(bare);
        assertThat(error(produce(raw, TOPIC, bare))).isEqualTo(Errors.INVALID_RECORD);
        assertThat(endOffset()).isZero();
    }

    @Test
    void transactionalBatchesOutsideAKnownTransactionAreRefused() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        ByteBuffer txn = RawProduce.copy(
                MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, 0, record("t")));
        assertThat(error(produce(raw, TOPIC, txn, (short) 12, null)))
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        // Before __transaction_state exists no coordinator can answer: retriable, as Kafka 4.4 (see ComparedBroker).
        assertThat(error(produce(raw, TOPIC, txn, (short) 12, "tx"))).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        TxnRequests.awaitCoordinator(harness.broker().port(), "tx");
        assertThat(error(produce(raw, TOPIC, txn, (short) 12, "tx"))).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(endOffset()).isZero();
    }

    @Test
    void idempotentBatchWithoutSequenceOrWithAnUnallocatedProducerIdIsRefused() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        ByteBuffer noSequence = RawProduce.copy(
                MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, 0, record("s")));
        noSequence.putInt(RawProduce.BASE_SEQUENCE_OFFSET, RecordBatch.NO_SEQUENCE);
        RawProduce.reseal(noSequence);
        assertThat(error(produce(raw, TOPIC, noSequence))).isEqualTo(Errors.INVALID_RECORD);

        ByteBuffer guessed = RawProduce.copy(MemoryRecords.withIdempotentRecords(
                Compression.NONE, producerId + 1_000_000, (short) 0, 0, record("g")));
        assertThat(error(produce(raw, TOPIC, guessed))).isEqualTo(Errors.UNKNOWN_PRODUCER_ID);

        ByteBuffer honest = RawProduce.copy(
                MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, 0, record("h")));
        assertThat(error(produce(raw, TOPIC, honest))).isEqualTo(Errors.NONE);
        assertThat(endOffset()).isEqualTo(1);
    }

    @Test
    void oldMagicAndZstdBeforeVersionSevenAreRefusedAsKafkaDoes() throws Exception {
        ByteBuffer v1 =
                RawProduce.copy(MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE, record("old")));
        assertThat(error(produce(raw, TOPIC, v1))).isEqualTo(Errors.INVALID_RECORD);
        ByteBuffer zstd =
                RawProduce.copy(MemoryRecords.withRecords(Compression.zstd().build(), record("z")));
        assertThat(error(produce(raw, TOPIC, zstd, (short) 6, null))).isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE);
        assertThat(endOffset()).isZero();
    }

    @Test
    void farFutureTimestampsAreRefusedAndTheWindowIsATopicConfig() throws Exception {
        long twoHoursAhead = System.currentTimeMillis() + 2 * 3_600_000L;
        ByteBuffer future = RawProduce.copy(
                MemoryRecords.withRecords(Compression.lz4().build(), new SimpleRecord(twoHoursAhead, null, v("f"))));
        assertThat(error(produce(raw, TOPIC, future))).isEqualTo(Errors.INVALID_TIMESTAMP);

        harness.createTopic("lenient", 1, Map.of("message.timestamp.after.max.ms", "10800000"));
        assertThat(error(produce(raw, "lenient", future))).isEqualTo(Errors.NONE);
        harness.createTopic("strict-past", 1, Map.of("message.timestamp.before.max.ms", "60000"));
        ByteBuffer old = RawProduce.copy(MemoryRecords.withRecords(
                Compression.NONE, new SimpleRecord(System.currentTimeMillis() - 600_000, null, v("o"))));
        assertThat(error(produce(raw, "strict-past", old))).isEqualTo(Errors.INVALID_TIMESTAMP);

        ByteBuffer logAppendTime = RawProduce.copy(MemoryRecords.withRecords(
                RecordBatch.MAGIC_VALUE_V2, 0L, Compression.NONE, TimestampType.LOG_APPEND_TIME, record("l")));
        assertThat(error(produce(raw, TOPIC, logAppendTime))).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(endOffset()).isZero();
    }

    @Test
    void aFarFutureHeaderTimestampOverHonestRecordsIsCorrectedSoItCannotPinRetention() throws Exception {
        long now = System.currentTimeMillis();
        ByteBuffer batch =
                RawProduce.copy(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, null, v("h"))));
        batch.putLong(RawProduce.MAX_TIMESTAMP_OFFSET, Long.MAX_VALUE / 2);
        RawProduce.reseal(batch);

        assertThat(error(produce(raw, TOPIC, batch))).isEqualTo(Errors.NONE);
        long maxTimestamp = harness.admin()
                .listOffsets(Map.of(TP, OffsetSpec.maxTimestamp()))
                .partitionResult(TP)
                .get()
                .timestamp();
        assertThat(maxTimestamp).isEqualTo(now);
    }

    @Test
    void keylessRecordsAreRefusedOnCompactedTopics() throws Exception {
        harness.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
        ByteBuffer keyless =
                RawProduce.copy(MemoryRecords.withRecords(Compression.lz4().build(), record("nokey")));
        assertThat(error(produce(raw, "compacted", keyless))).isEqualTo(Errors.INVALID_RECORD);
        ByteBuffer keyed = RawProduce.copy(MemoryRecords.withRecords(
                Compression.lz4().build(), new SimpleRecord(System.currentTimeMillis(), v("k"), v("v"))));
        assertThat(error(produce(raw, "compacted", keyed))).isEqualTo(Errors.NONE);
    }

    @Test
    void honestBatchesOfEveryCodecPassTheRecordScan() throws Exception {
        Random random = new Random(4);
        List<Compression> codecs = List.of(
                Compression.NONE,
                Compression.gzip().build(),
                Compression.snappy().build(),
                Compression.lz4().build(),
                Compression.zstd().build());
        long expectedEnd = 0;
        for (Compression codec : codecs) {
            SimpleRecord[] records = new SimpleRecord[700];
            for (int i = 0; i < records.length; i++) {
                byte[] value = new byte[random.nextInt(300)]; // records straddle the scanner's 16 KiB chunks
                random.nextBytes(value);
                byte[] key = i % 3 == 0 ? null : v("key-" + i);
                records[i] = new SimpleRecord(System.currentTimeMillis() - i, key, value);
            }
            ByteBuffer batch = RawProduce.copy(MemoryRecords.withRecords(codec, records));
            assertThat(error(produce(raw, TOPIC, batch))).as(codec.type().name).isEqualTo(Errors.NONE);
            expectedEnd += records.length;
        }
        assertThat(endOffset()).isEqualTo(expectedEnd);
    }

    private long endOffset() throws Exception {
        return harness.admin()
                .listOffsets(Map.of(TP, OffsetSpec.latest()))
                .partitionResult(TP)
                .get()
                .offset();
    }

    private static MemoryRecords records(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = record(values[i]);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private static SimpleRecord record(String value) {
        return new SimpleRecord(System.currentTimeMillis(), null, v(value));
    }

    private static byte[] v(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
