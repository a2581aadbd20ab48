package dev.skein.broker.it;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * Byte-level edits of a magic v2 record batch (Kafka's {@code DefaultRecordBatch} layout) for tests that need a
 * batch no client library would write: the header fields are at fixed offsets and the CRC32C covers everything from
 * the attributes to the end of the batch.
 */
final class BatchBytes {
    static final int BATCH_LENGTH = 8;
    static final int MAGIC = 16;
    static final int CRC = 17;
    static final int ATTRIBUTES = 21;
    static final int LAST_OFFSET_DELTA = 23;
    static final int BASE_TIMESTAMP = 27;
    static final int MAX_TIMESTAMP = 35;
    static final int PRODUCER_ID = 43;
    static final int PRODUCER_EPOCH = 51;
    static final int BASE_SEQUENCE = 53;
    static final int RECORDS_COUNT = 57;
    static final int HEADER_SIZE = 61;

    private BatchBytes() {}

    /** A copy of the single batch in {@code records} with {@code edit} applied and the CRC recomputed. */
    static MemoryRecords edited(MemoryRecords records, Consumer<ByteBuffer> edit) {
        ByteBuffer copy = copyOf(records);
        edit.accept(copy);
        restampCrc(copy);
        return MemoryRecords.readableRecords(copy);
    }

    /** A copy of the single batch in {@code records} with {@code edit} applied and the old (now wrong) CRC kept. */
    static MemoryRecords editedKeepingCrc(MemoryRecords records, Consumer<ByteBuffer> edit) {
        ByteBuffer copy = copyOf(records);
        edit.accept(copy);
        return MemoryRecords.readableRecords(copy);
    }

    /** A copy of the single batch with {@code junk} bytes appended inside it (length and CRC updated to cover them). */
    static MemoryRecords withJunkInside(MemoryRecords records, int junk) {
        ByteBuffer copy = ByteBuffer.allocate(records.sizeInBytes() + junk);
        copy.put(records.buffer().duplicate());
        for (int i = 0; i < junk; i++) {
            copy.put((byte) 0x5A);
        }
        copy.flip();
        copy.putInt(BATCH_LENGTH, copy.getInt(BATCH_LENGTH) + junk);
        restampCrc(copy);
        return MemoryRecords.readableRecords(copy);
    }

    /** The batches of {@code parts} back to back, as one records field. */
    static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords part : parts) {
            size += part.sizeInBytes();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (MemoryRecords part : parts) {
            all.put(part.buffer().duplicate());
        }
        all.flip();
        return MemoryRecords.readableRecords(all);
    }

    /** Rewrites the CRC of the batch starting at position 0 of {@code batch} (which holds exactly one batch). */
    static void restampCrc(ByteBuffer batch) {
        long crc = Crc32C.compute(batch, ATTRIBUTES, batch.limit() - ATTRIBUTES);
        batch.putInt(CRC, (int) crc);
    }

    private static ByteBuffer copyOf(MemoryRecords records) {
        ByteBuffer copy = ByteBuffer.allocate(records.sizeInBytes());
        copy.put(records.buffer().duplicate()).flip();
        return copy;
    }
}
