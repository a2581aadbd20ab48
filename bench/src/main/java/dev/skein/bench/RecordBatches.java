package dev.skein.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;

/**
 * Builds the record batches the benchmarks append: magic v2, no key, values of text-like bytes (words drawn from a
 * small vocabulary with a fixed seed) so that lz4 finds something to compress, as it would in JSON or log lines.
 */
final class RecordBatches {
    private static final String[] WORDS = {
        "skein",
        "broker",
        "partition",
        "offset",
        "leader",
        "replica",
        "segment",
        "index",
        "\"id\":",
        "\"ts\":",
        "{",
        "}",
        ",",
        "true",
        "false",
        "null",
        "order",
        "customer",
        "amount",
        "EUR",
        "created",
        "status",
        "42",
        "1700000000000",
        "shipped",
        "pending",
        "topic",
        "value",
        "key",
        "region",
        "eu-west",
        "us-east"
    };

    private RecordBatches() {}

    /** {@code count} values of exactly {@code size} bytes each, deterministic for a given seed. */
    static byte[][] textValues(int count, int size, long seed) {
        Random random = new Random(seed);
        byte[][] values = new byte[count][];
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder(size + 16);
            while (text.length() < size) {
                text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
            }
            values[i] = text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
        }
        return values;
    }

    /**
     * {@code count} values of exactly {@code size} bytes each whose first half is random and second half zero bytes
     * (lz4 gets about 2 : 1), deterministic for a given seed.
     */
    static byte[][] halfRandomValues(int count, int size, long seed) {
        Random random = new Random(seed);
        byte[][] values = new byte[count][];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[size];
            byte[] half = new byte[size / 2];
            random.nextBytes(half);
            System.arraycopy(half, 0, value, 0, half.length);
            values[i] = value;
        }
        return values;
    }

    /** One batch holding {@code values}, with base offset 0, as a producer would send it. */
    static ByteBuffer batch(byte[][] values, Compression compression) {
        int estimate = values.length * (values[0].length + 32) + 1024;
        ByteBuffer buffer = ByteBuffer.allocate(estimate);
        MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, compression, TimestampType.CREATE_TIME, 0L);
        long now = System.currentTimeMillis();
        for (byte[] value : values) {
            builder.append(now, null, value);
        }
        MemoryRecords records = builder.build();
        ByteBuffer exact = ByteBuffer.allocate(records.sizeInBytes());
        exact.put(records.buffer().duplicate());
        exact.flip();
        return exact;
    }
}
