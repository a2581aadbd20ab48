package dev.skein.broker.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Record batches for fuzzed Produce requests: a valid v2 batch (1-5 records, any codec, plain or idempotent), and in
 * about a third of the cases one header field rewritten to an extreme or inconsistent value with the CRC recomputed,
 * so the batch passes the CRC check and reaches the broker's deeper validation (counts, offset deltas, sequences,
 * control and transactional bits, codecs, timestamps, the batch length).
 */
final class FuzzBatches {
    /** Extreme values for int32 fields: the list plus neighbours of the boundaries. */
    static final int[] EXTREME_INTS = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, Short.MAX_VALUE, 0xFFFF, 5};

    private static final List<Compression> CODECS = List.of(
            Compression.NONE,
            Compression.gzip().build(),
            Compression.snappy().build(),
            Compression.lz4().build(),
            Compression.zstd().build());
    /** A fixed base so inputs are the same bytes on every run (the broker may judge them against its clock). */
    private static final long BASE_TIMESTAMP = 1_790_000_000_000L;

    private FuzzBatches() {}

    static MemoryRecords batch(Random r) {
        MemoryRecords valid = valid(r);
        if (r.nextInt(3) != 0) {
            return valid;
        }
        return BatchBytes.edited(valid, b -> editHeader(b, r));
    }

    private static MemoryRecords valid(Random r) {
        int count = 1 + r.nextInt(5);
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[r.nextInt(64)];
            r.nextBytes(value);
            byte[] key = r.nextBoolean() ? null : ("k" + r.nextInt(8)).getBytes(StandardCharsets.UTF_8);
            records[i] = new SimpleRecord(BASE_TIMESTAMP + r.nextInt(1000), key, value);
        }
        Compression codec = r.nextInt(3) == 0 ? CODECS.get(r.nextInt(CODECS.size())) : Compression.NONE;
        if (r.nextInt(4) == 0) {
            return MemoryRecords.withIdempotentRecords(codec, r.nextInt(4), (short) 0, r.nextInt(3), records);
        }
        return MemoryRecords.withRecords(codec, records);
    }

    private static void editHeader(ByteBuffer b, Random r) {
        int extreme = EXTREME_INTS[r.nextInt(EXTREME_INTS.length)];
        switch (r.nextInt(10)) {
            case 0 -> b.putInt(BatchBytes.RECORDS_COUNT, extreme);
            case 1 -> b.putInt(BatchBytes.LAST_OFFSET_DELTA, extreme);
            case 2 -> {
                b.putInt(BatchBytes.RECORDS_COUNT, extreme);
                b.putInt(BatchBytes.LAST_OFFSET_DELTA, extreme - 1);
            }
            case 3 -> b.putInt(BatchBytes.BASE_SEQUENCE, extreme);
            case 4 -> b.putShort(BatchBytes.ATTRIBUTES, (short) r.nextInt(1 << 7));
            case 5 -> b.putShort(BatchBytes.ATTRIBUTES, (short)
                    (b.getShort(BatchBytes.ATTRIBUTES) | pick(r, 0x10, 0x20, 0x30, 0x08, 5, 6, 7)));
            case 6 -> b.putLong(
                    r.nextBoolean() ? BatchBytes.BASE_TIMESTAMP : BatchBytes.MAX_TIMESTAMP,
                    pick(r, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0));
            case 7 -> b.putShort(BatchBytes.PRODUCER_EPOCH, (short) pick(r, -1, Short.MAX_VALUE, 1));
            case 8 -> b.putInt(BatchBytes.BATCH_LENGTH, extreme);
            default -> {
                // inside the records: a varint length or attribute byte of the first record
                if (b.limit() > BatchBytes.HEADER_SIZE) {
                    int at = BatchBytes.HEADER_SIZE + r.nextInt(Math.min(8, b.limit() - BatchBytes.HEADER_SIZE));
                    b.put(at, (byte) pick(r, 0x7F, 0xFF, 0x01, 0x00));
                }
            }
        }
    }

    private static long pick(Random r, long... values) {
        return values[r.nextInt(values.length)];
    }

    private static int pick(Random r, int... values) {
        return values[r.nextInt(values.length)];
    }
}
