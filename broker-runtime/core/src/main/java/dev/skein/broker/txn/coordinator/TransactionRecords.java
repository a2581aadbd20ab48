package dev.skein.broker.txn.coordinator;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Kafka's record format of {@code __transaction_state}, so a Kafka tool can read Skein's topic and the other way
 * round. Big-endian, strings as int16 length + UTF-8:
 *
 * <pre>
 * key   (TransactionLogKey v0):   int16 version=0, string transactionalId
 * value (TransactionLogValue v0): int16 version=0, int64 producerId, int16 producerEpoch, int32 timeoutMs,
 *                                 int8 state, int32 topicCount (-1 = null) { string topic, int32 count { int32 partition } },
 *                                 int64 lastUpdateTimestampMs, int64 startTimestampMs
 * </pre>
 *
 * A null value (tombstone) deletes the transactional id. Version 1 of the value (flexible, with tagged fields for
 * KIP-890 part 2) is what Kafka writes under {@code transaction.version} 2; Skein writes and reads version 0.
 */
public final class TransactionRecords {
    private static final short KEY_VERSION = 0;
    private static final short VALUE_VERSION = 0;

    private TransactionRecords() {}

    /** A decoded record: the transactional id and its entry, null for a tombstone. */
    public record Decoded(String transactionalId, TransactionEntry entry) {}

    /** The record that stores {@code entry} for {@code transactionalId} (a tombstone when {@code entry} is null). */
    public static SimpleRecord record(String transactionalId, TransactionEntry entry, long timestampMs) {
        return new SimpleRecord(timestampMs, key(transactionalId), entry == null ? null : value(entry));
    }

    static byte[] key(String transactionalId) {
        byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(2 + 2 + id.length);
        buffer.putShort(KEY_VERSION).putShort((short) id.length).put(id);
        return buffer.array();
    }

    static byte[] value(TransactionEntry entry) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : entry.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        int size = 2 + 8 + 2 + 4 + 1 + 4 + 8 + 8;
        List<byte[]> topics = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> topic : byTopic.entrySet()) {
            byte[] name = topic.getKey().getBytes(StandardCharsets.UTF_8);
            topics.add(name);
            size += 2 + name.length + 4 + 4 * topic.getValue().size();
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putShort(VALUE_VERSION)
                .putLong(entry.producerId())
                .putShort(entry.producerEpoch())
                .putInt(entry.timeoutMs())
                .put(entry.state().id())
                .putInt(byTopic.size());
        int i = 0;
        for (List<Integer> partitions : byTopic.values()) {
            byte[] name = topics.get(i++);
            buffer.putShort((short) name.length).put(name).putInt(partitions.size());
            partitions.stream().sorted().forEach(buffer::putInt);
        }
        buffer.putLong(entry.updateTimestampMs()).putLong(entry.startTimestampMs());
        return buffer.array();
    }

    /**
     * Decodes a record of {@code __transaction_state}.
     *
     * @throws IllegalStateException for a key or value version this broker cannot read, or a malformed record
     */
    public static Decoded decode(Record record) {
        if (!record.hasKey()) {
            throw new IllegalStateException("record without key");
        }
        try {
            ByteBuffer key = record.key();
            short keyVersion = key.getShort();
            if (keyVersion != KEY_VERSION) {
                throw new IllegalStateException("unknown key version " + keyVersion);
            }
            String transactionalId = readString(key);
            if (!record.hasValue()) {
                return new Decoded(transactionalId, null);
            }
            return new Decoded(transactionalId, readValue(record.value()));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IllegalStateException("malformed record: " + e, e);
        }
    }

    private static TransactionEntry readValue(ByteBuffer value) {
        short version = value.getShort();
        if (version != VALUE_VERSION) {
            throw new IllegalStateException("unsupported value version " + version);
        }
        long producerId = value.getLong();
        short epoch = value.getShort();
        int timeoutMs = value.getInt();
        TransactionState state = TransactionState.fromId(value.get());
        int topicCount = value.getInt();
        Set<TopicPartition> partitions = new HashSet<>();
        for (int t = 0; t < topicCount; t++) {
            String topic = readString(value);
            int count = value.getInt();
            for (int p = 0; p < count; p++) {
                partitions.add(new TopicPartition(topic, value.getInt()));
            }
        }
        long updateTimestamp = value.getLong();
        long startTimestamp = value.getLong();
        return new TransactionEntry(
                producerId, -1, epoch, (short) -1, timeoutMs, state, partitions, startTimestamp, updateTimestamp);
    }

    private static String readString(ByteBuffer buffer) {
        int length = buffer.getShort();
        if (length < 0 || length > buffer.remaining()) {
            throw new IllegalStateException("bad string length " + length);
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
