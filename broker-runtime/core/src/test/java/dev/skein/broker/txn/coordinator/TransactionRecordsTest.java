package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** {@code __transaction_state} records byte for byte as Kafka's TransactionLogKey v0 / TransactionLogValue v0. */
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
}
