package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.coordinator.transaction.generated.TransactionLogValue;
import org.junit.jupiter.api.Test;

/**
 * {@code __transaction_state} records byte for byte as Kafka's TransactionLogKey v0 / TransactionLogValue v0 and v1,
 * the latter compared with Kafka 4.4's own generated serializer (kafka-transaction-coordinator).
 */
class TransactionRecordsTest {
    private static Record stored(SimpleRecord record) {
        return MemoryRecords.withRecords(Compression.NONE, record)
                .records()
                .iterator()
                .next();
    }

    @Test
    void keyIsVersionZeroThenTheTransactionalId() {
        assertThat(HexFormat.of().formatHex(TransactionRecords.key("tx"))).isEqualTo("0000" + "0002" + "7478");
    }

    @Test
    void valueHasKafkasVersionZeroLayout() {
        TransactionEntry entry = new TransactionEntry(
                0x0102L,
                -1,
                (short) 3,
                (short) -1,
                60_000,
                TransactionState.ONGOING,
                Set.of(new TopicPartition("t", 1), new TopicPartition("t", 0)),
                0x10L,
                0x20L);
        ByteBuffer expected = ByteBuffer.allocate(2 + 8 + 2 + 4 + 1 + 4 + (2 + 1 + 4 + 8) + 8 + 8);
        expected.putShort((short) 0)
                .putLong(0x0102L)
                .putShort((short) 3)
                .putInt(60_000)
                .put((byte) 1);
        expected.putInt(1)
                .putShort((short) 1)
                .put((byte) 't')
                .putInt(2)
                .putInt(0)
                .putInt(1);
        expected.putLong(0x20L).putLong(0x10L);

        assertThat(TransactionRecords.value(entry)).isEqualTo(expected.array());
    }

    @Test
    void entryRoundTripsAndANullValueIsATombstone() {
        TransactionEntry entry = new TransactionEntry(
                42,
                -1,
                (short) 7,
                (short) -1,
                900_000,
                TransactionState.PREPARE_COMMIT,
                Set.of(new TopicPartition("a", 3), new TopicPartition("__consumer_offsets", 12)),
                5,
                9);

        TransactionRecords.Decoded decoded =
                TransactionRecords.decode(stored(TransactionRecords.record("id-1", entry, 9)));
        TransactionRecords.Decoded tombstone =
                TransactionRecords.decode(stored(TransactionRecords.record("id-1", null, 9)));

        assertThat(decoded.transactionalId()).isEqualTo("id-1");
        assertThat(decoded.entry()).isEqualTo(entry);
        assertThat(tombstone.entry()).isNull();
    }

    @Test
    void unknownVersionsAndTruncatedValuesAreRefused() {
        byte[] value = TransactionRecords.value(
                new TransactionEntry(1, -1, (short) 0, (short) -1, 1, TransactionState.EMPTY, Set.of(), -1, 0));
        byte[] truncated = java.util.Arrays.copyOf(value, value.length - 3);
        byte[] version9 = value.clone();
        version9[1] = 9;

        assertThatThrownBy(() ->
                        TransactionRecords.decode(stored(new SimpleRecord(0, TransactionRecords.key("x"), truncated))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() ->
                        TransactionRecords.decode(stored(new SimpleRecord(0, TransactionRecords.key("x"), version9))))
                .isInstanceOf(IllegalStateException.class);
    }

    private static TransactionEntry versionTwo(TransactionState state, Set<TopicPartition> partitions) {
        return new TransactionEntry(
                0x0102L,
                77L,
                1234L,
                (short) 3,
                (short) 2,
                60_000,
                state,
                partitions,
                0x10L,
                0x20L,
                TransactionEntry.TV2_CLIENT);
    }

    @Test
    void versionTwoValueIsKafkasFlexibleVersionOneWithTaggedFields() {
        TransactionEntry entry = versionTwo(
                TransactionState.PREPARE_COMMIT, Set.of(new TopicPartition("t", 1), new TopicPartition("t", 0)));
        TransactionLogValue kafka = new TransactionLogValue()
                .setProducerId(0x0102L)
                .setPreviousProducerId(77L)
                .setNextProducerId(1234L)
                .setProducerEpoch((short) 3)
                .setTransactionTimeoutMs(60_000)
                .setTransactionStatus(TransactionState.PREPARE_COMMIT.id())
                .setTransactionPartitions(List.of(
                        new TransactionLogValue.PartitionsSchema().setTopic("t").setPartitionIds(List.of(0, 1))))
                .setTransactionLastUpdateTimestampMs(0x20L)
                .setTransactionStartTimestampMs(0x10L)
                .setClientTransactionVersion(TransactionEntry.TV2_CLIENT);

        assertThat(TransactionRecords.value(entry)).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 1, kafka));
    }

    @Test
    void emptyEntriesStoreNullPartitionsInBothVersionsAsKafka() {
        TransactionEntry v2 = versionTwo(TransactionState.EMPTY, Set.of());
        TransactionEntry v1 =
                new TransactionEntry(5, -1, (short) 0, (short) -1, 1000, TransactionState.EMPTY, Set.of(), -1, 9);
        TransactionLogValue kafkaV2 = new TransactionLogValue()
                .setProducerId(0x0102L)
                .setPreviousProducerId(77L)
                .setNextProducerId(1234L)
                .setProducerEpoch((short) 3)
                .setTransactionTimeoutMs(60_000)
                .setTransactionStatus(TransactionState.EMPTY.id())
                .setTransactionPartitions(null)
                .setTransactionLastUpdateTimestampMs(0x20L)
                .setTransactionStartTimestampMs(0x10L)
                .setClientTransactionVersion(TransactionEntry.TV2_CLIENT);
        TransactionLogValue kafkaV1 = new TransactionLogValue()
                .setProducerId(5)
                .setProducerEpoch((short) 0)
                .setTransactionTimeoutMs(1000)
                .setTransactionStatus(TransactionState.EMPTY.id())
                .setTransactionPartitions(null)
                .setTransactionLastUpdateTimestampMs(9)
                .setTransactionStartTimestampMs(-1);

        assertThat(TransactionRecords.value(v2)).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 1, kafkaV2));
        assertThat(TransactionRecords.value(v1)).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0, kafkaV1));
    }

    @Test
    void kafkasVersionOneValueIsReadBackWithItsTaggedFieldsAndUnknownTagsSkipped() {
        TransactionLogValue kafka = new TransactionLogValue()
                .setProducerId(42)
                .setPreviousProducerId(41)
                .setNextProducerId(43)
                .setNextProducerEpoch((short) 0)
                .setProducerEpoch(Short.MAX_VALUE)
                .setTransactionTimeoutMs(900)
                .setTransactionStatus(TransactionState.PREPARE_ABORT.id())
                .setTransactionPartitions(List.of(
                        new TransactionLogValue.PartitionsSchema().setTopic("a").setPartitionIds(List.of(3)),
                        new TransactionLogValue.PartitionsSchema().setTopic("b").setPartitionIds(List.of(0, 2))))
                .setTransactionLastUpdateTimestampMs(8)
                .setTransactionStartTimestampMs(5)
                .setClientTransactionVersion((short) 2);
        kafka.unknownTaggedFields()
                .add(new org.apache.kafka.common.protocol.types.RawTaggedField(9, new byte[] {1, 2, 3}));
        byte[] value = MessageUtil.toVersionPrefixedBytes((short) 1, kafka);

        TransactionEntry entry = TransactionRecords.decode(
                        stored(new SimpleRecord(0, TransactionRecords.key("x"), value)))
                .entry();

        assertThat(entry)
                .isEqualTo(new TransactionEntry(
                        42,
                        41,
                        43,
                        Short.MAX_VALUE,
                        (short) -1,
                        900,
                        TransactionState.PREPARE_ABORT,
                        Set.of(new TopicPartition("a", 3), new TopicPartition("b", 0), new TopicPartition("b", 2)),
                        5,
                        8,
                        (short) 2));
        byte[] rewritten = TransactionRecords.value(entry);
        TransactionLogValue back = new TransactionLogValue(
                new ByteBufferAccessor(ByteBuffer.wrap(rewritten, 2, rewritten.length - 2)), (short) 1);
        assertThat(back.nextProducerId()).isEqualTo(43);
        assertThat(back.previousProducerId()).isEqualTo(41);
        assertThat(back.clientTransactionVersion()).isEqualTo((short) 2);
    }
}
