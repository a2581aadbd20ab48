package dev.skein.broker.txn.coordinator;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Kafka's record format of {@code __transaction_state}, so a Kafka tool can read Skein's topic and the other way
 * round. Big-endian; a null value (tombstone) deletes the transactional id.
 *
 * <pre>
 * key   (TransactionLogKey v0):   int16 version=0, string transactionalId (int16 length + UTF-8)
 * value (TransactionLogValue v0): int16 version=0, int64 producerId, int16 producerEpoch, int32 timeoutMs,
 *                                 int8 state, int32 topicCount (-1 = null) { string topic, int32 count { int32 partition } },
 *                                 int64 lastUpdateTimestampMs, int64 startTimestampMs
 * value (TransactionLogValue v1, flexible): int16 version=1, int64 producerId, int16 producerEpoch, int32 timeoutMs,
 *                                 int8 state, uvarint topicCount+1 (0 = null) { uvarint length+1, UTF-8 topic,
 *                                 uvarint count+1 { int32 partition }, uvarint 0 (no tagged fields) },
 *                                 int64 lastUpdateTimestampMs, int64 startTimestampMs,
 *                                 tagged fields: uvarint count { uvarint tag, uvarint size, value } in tag order:
 *                                 0 PreviousProducerId int64, 1 NextProducerId int64, 2 ClientTransactionVersion int16,
 *                                 3 NextProducerEpoch int16 (each only when not its default -1, -1, 0, -1)
 * </pre>
 *
 * Which value version is written follows the transaction: v1 for a {@code transaction.version} 2 client (it keeps the
 * previous and next producer ids that its epoch bumps need across a coordinator failover, and the client version),
 * v0 for the version-1 flow. Both are read; unknown tagged fields are skipped. Like Kafka, an Empty entry stores null
 * partitions, and the epoch before the last bump (KIP-360's "last epoch") is not stored in either version.
 */
public final class TransactionRecords {
    private static final short KEY_VERSION = 0;
    private static final short VALUE_V0 = 0;
    private static final short VALUE_V1 = 1;

    private static final int TAG_PREVIOUS_PRODUCER_ID = 0;
    private static final int TAG_NEXT_PRODUCER_ID = 1;
    private static final int TAG_CLIENT_TRANSACTION_VERSION = 2;
    private static final int TAG_NEXT_PRODUCER_EPOCH = 3;

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

    /** The value of {@code entry}: v1 for a {@code transaction.version} 2 client, else v0. */
    static byte[] value(TransactionEntry entry) {
        return entry.isTransactionV2() ? valueV1(entry) : valueV0(entry);
    }

    /** The partitions by topic, topics and partitions in ascending order; null for an Empty entry (as Kafka). */
    private static Map<byte[], List<Integer>> byTopic(TransactionEntry entry) {
        if (entry.state() == TransactionState.EMPTY) {
            return null;
        }
        Map<String, List<Integer>> sorted = new TreeMap<>();
        for (TopicPartition tp : entry.partitions()) {
            sorted.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        Map<byte[], List<Integer>> result = new LinkedHashMap<>();
        sorted.forEach((topic, partitions) -> {
            partitions.sort(null);
            result.put(topic.getBytes(StandardCharsets.UTF_8), partitions);
        });
        return result;
    }

    static byte[] valueV0(TransactionEntry entry) {
        Map<byte[], List<Integer>> topics = byTopic(entry);
        int size = 2 + 8 + 2 + 4 + 1 + 4 + 8 + 8;
        if (topics != null) {
            for (Map.Entry<byte[], List<Integer>> topic : topics.entrySet()) {
                size += 2 + topic.getKey().length + 4 + 4 * topic.getValue().size();
            }
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        putFixedHead(buffer.putShort(VALUE_V0), entry);
        buffer.putInt(topics == null ? -1 : topics.size());
        if (topics != null) {
            topics.forEach((name, partitions) -> {
                buffer.putShort((short) name.length).put(name).putInt(partitions.size());
                partitions.forEach(buffer::putInt);
            });
        }
        buffer.putLong(entry.updateTimestampMs()).putLong(entry.startTimestampMs());
        return buffer.array();
    }

    static byte[] valueV1(TransactionEntry entry) {
        Map<byte[], List<Integer>> topics = byTopic(entry);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        ByteBuffer head = ByteBuffer.allocate(2 + 8 + 2 + 4 + 1);
        putFixedHead(head.putShort(VALUE_V1), entry);
        out.writeBytes(head.array());
        if (topics == null) {
            putUnsignedVarint(out, 0);
        } else {
            putUnsignedVarint(out, topics.size() + 1);
            topics.forEach((name, partitions) -> {
                putUnsignedVarint(out, name.length + 1);
                out.writeBytes(name);
                putUnsignedVarint(out, partitions.size() + 1);
                ByteBuffer ids = ByteBuffer.allocate(4 * partitions.size());
                partitions.forEach(ids::putInt);
                out.writeBytes(ids.array());
                putUnsignedVarint(out, 0);
            });
        }
        out.writeBytes(ByteBuffer.allocate(16)
                .putLong(entry.updateTimestampMs())
                .putLong(entry.startTimestampMs())
                .array());
        Map<Integer, byte[]> tags = new TreeMap<>();
        if (entry.previousProducerId() != -1) {
            tags.put(
                    TAG_PREVIOUS_PRODUCER_ID,
                    ByteBuffer.allocate(8).putLong(entry.previousProducerId()).array());
        }
        if (entry.nextProducerId() != -1) {
            tags.put(
                    TAG_NEXT_PRODUCER_ID,
                    ByteBuffer.allocate(8).putLong(entry.nextProducerId()).array());
        }
        if (entry.clientTransactionVersion() != 0) {
            tags.put(
                    TAG_CLIENT_TRANSACTION_VERSION,
                    ByteBuffer.allocate(2)
                            .putShort(entry.clientTransactionVersion())
                            .array());
        }
        putUnsignedVarint(out, tags.size());
        tags.forEach((tag, bytes) -> {
            putUnsignedVarint(out, tag);
            putUnsignedVarint(out, bytes.length);
            out.writeBytes(bytes);
        });
        return out.toByteArray();
    }

    private static void putFixedHead(ByteBuffer buffer, TransactionEntry entry) {
        buffer.putLong(entry.producerId())
                .putShort(entry.producerEpoch())
                .putInt(entry.timeoutMs())
                .put(entry.state().id());
    }

    private static void putUnsignedVarint(ByteArrayOutputStream out, int value) {
        int v = value;
        while ((v & 0xffffff80) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
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
        if (version != VALUE_V0 && version != VALUE_V1) {
            throw new IllegalStateException("unsupported value version " + version);
        }
        boolean flexible = version == VALUE_V1;
        long producerId = value.getLong();
        short epoch = value.getShort();
        int timeoutMs = value.getInt();
        TransactionState state = TransactionState.fromId(value.get());
        int topicCount = flexible ? readUnsignedVarint(value) - 1 : value.getInt();
        Set<TopicPartition> partitions = new HashSet<>();
        for (int t = 0; t < topicCount; t++) {
            String topic = flexible ? readCompactString(value) : readString(value);
            int count = flexible ? readUnsignedVarint(value) - 1 : value.getInt();
            for (int p = 0; p < count; p++) {
                partitions.add(new TopicPartition(topic, value.getInt()));
            }
            if (flexible) {
                skipTaggedFields(value);
            }
        }
        long updateTimestamp = value.getLong();
        long startTimestamp = value.getLong();
        long[] tagged = {-1, -1, 0};
        if (flexible) {
            readTaggedFields(value, tagged);
        }
        return new TransactionEntry(
                producerId,
                tagged[0],
                tagged[1],
                epoch,
                (short) -1,
                timeoutMs,
                state,
                partitions,
                startTimestamp,
                updateTimestamp,
                (short) tagged[2]);
    }

    /** Reads the value's tagged fields into {previous producer id, next producer id, client transaction version}. */
    private static void readTaggedFields(ByteBuffer value, long[] into) {
        int count = readUnsignedVarint(value);
        for (int i = 0; i < count; i++) {
            int tag = readUnsignedVarint(value);
            int size = readUnsignedVarint(value);
            if (size < 0 || size > value.remaining()) {
                throw new IllegalStateException("bad tagged field size " + size);
            }
            ByteBuffer field = value.slice(value.position(), size);
            value.position(value.position() + size);
            switch (tag) {
                case TAG_PREVIOUS_PRODUCER_ID -> into[0] = field.getLong();
                case TAG_NEXT_PRODUCER_ID -> into[1] = field.getLong();
                case TAG_CLIENT_TRANSACTION_VERSION -> into[2] = field.getShort();
                case TAG_NEXT_PRODUCER_EPOCH -> field.getShort(); // Kafka never sets it; nothing to keep
                default -> {} // a newer writer's field: skipped
            }
        }
    }

    private static void skipTaggedFields(ByteBuffer buffer) {
        int count = readUnsignedVarint(buffer);
        for (int i = 0; i < count; i++) {
            readUnsignedVarint(buffer);
            int size = readUnsignedVarint(buffer);
            if (size < 0 || size > buffer.remaining()) {
                throw new IllegalStateException("bad tagged field size " + size);
            }
            buffer.position(buffer.position() + size);
        }
    }

    private static int readUnsignedVarint(ByteBuffer buffer) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = buffer.get();
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalStateException("varint longer than 5 bytes");
    }

    private static String readCompactString(ByteBuffer buffer) {
        int length = readUnsignedVarint(buffer) - 1;
        if (length < 0 || length > buffer.remaining()) {
            throw new IllegalStateException("bad string length " + length);
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
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
