package dev.skein.broker.log;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * One streaming pass over the records of a v2 batch that checks what the batch header claims about them, without
 * building a record object: per record it reads the length varint, the attributes, the timestamp and offset deltas and
 * the lengths of the key, the value, the header count and each header's key and value, skipping their bytes, and
 * requires the fields to fill the record's declared length exactly (as Kafka's record parser does). Compressed batches are read through their decompression stream into
 * a fixed chunk, so memory stays constant whatever the batch inflates to; reading more than the budget of
 * decompressed bytes refuses the batch instead of inflating a compression bomb.
 *
 * <p>Checks, in the order of Kafka's {@code LogValidator} (error codes as Kafka answers them):
 * <ul>
 *   <li>exactly {@code count} records, none truncated, no bytes after the last: {@code INVALID_RECORD};
 *   <li>each record's fields (key, value, headers) fill its declared length exactly, no negative header count or
 *       header key size: {@code INVALID_RECORD};
 *   <li>offset deltas 0, 1, ..., count-1 in order: {@code INVALID_RECORD} (Kafka rewrites such batches instead);
 *   <li>every record has a key when the topic is compacted: {@code INVALID_RECORD};
 *   <li>CreateTime timestamps inside [{@code minTimestamp}, {@code maxTimestamp}]: {@code INVALID_TIMESTAMP};
 *   <li>decompressed bytes above the budget: {@code INVALID_RECORD}; undecodable compressed data: {@code CORRUPT_MESSAGE}.
 * </ul>
 *
 * <p>Threading: not thread-safe; each request thread uses its own instance (see {@link AppendValidator}). No
 * allocation per record; per compressed batch only the codec's stream object (its buffers come from the thread's
 * {@link BufferSupplier}).
 */
final class RecordScanner {
    private static final int CHUNK_BYTES = 16 * 1024;
    /** Attributes, timestamp delta, offset delta, key length, value length, header count: one byte each at least. */
    private static final int MIN_RECORD_BODY = 6;

    private final byte[] chunk = new byte[CHUNK_BYTES];
    private final BufferSupplier buffers = BufferSupplier.create();

    /** Uncompressed source: the batch buffer, read by absolute index. */
    private ByteBuffer buffer;
    /** Compressed source: the decompression stream, read into {@link #chunk}. */
    private InputStream in;

    private int pos;
    private int limit;
    /** Bytes taken from {@link #in} so far (compressed only). */
    private long streamBytes;

    private long budget;

    /** Largest record timestamp seen by the last {@link #scan}; {@link RecordBatch#NO_TIMESTAMP} if none. */
    private long maxRecordTimestamp;

    /**
     * Scans the records of {@code batch}, a v2 batch whose CRC was checked and whose {@code count} and last offset
     * delta agree.
     *
     * @param batchBuffer the bytes of exactly this batch, from its position to its limit
     * @param checkTimestamps whether to check CreateTime record timestamps against the window
     * @param minTimestamp smallest accepted record timestamp
     * @param maxTimestamp largest accepted record timestamp
     * @param keyRequired whether every record must have a key (compacted topic)
     * @param maxDecompressedBytes budget of decompressed record bytes for a compressed batch
     * @return the largest record timestamp ({@link RecordBatch#NO_TIMESTAMP} if no record has one)
     */
    long scan(
            DefaultRecordBatch batch,
            ByteBuffer batchBuffer,
            int count,
            boolean checkTimestamps,
            long minTimestamp,
            long maxTimestamp,
            boolean keyRequired,
            long maxDecompressedBytes) {
        maxRecordTimestamp = RecordBatch.NO_TIMESTAMP;
        if (batch.compressionType().id == 0) {
            buffer = batchBuffer;
            pos = batchBuffer.position() + DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
            limit = batchBuffer.limit();
            scanRecords(batch.baseTimestamp(), count, checkTimestamps, minTimestamp, maxTimestamp, keyRequired);
            if (pos != limit) {
                throw new InvalidRecordException("Incorrect declared batch size: " + (limit - pos)
                        + " bytes remain after the " + count + " declared records");
            }
            buffer = null;
            return maxRecordTimestamp;
        }
        budget = maxDecompressedBytes;
        streamBytes = 0;
        pos = 0;
        limit = 0;
        try {
            in = batch.recordInputStream(buffers);
            scanRecords(batch.baseTimestamp(), count, checkTimestamps, minTimestamp, maxTimestamp, keyRequired);
            if (pos != limit || in.read() >= 0) {
                throw new InvalidRecordException(
                        "Incorrect declared batch size: records remain after the " + count + " declared records");
            }
            return maxRecordTimestamp;
        } catch (ApiException e) {
            throw e;
        } catch (IOException | KafkaException | IllegalStateException | IndexOutOfBoundsException e) {
            // Garbage inside a compressed batch surfaces as whatever the codec throws.
            throw new CorruptRecordException("The compressed records of the batch cannot be decompressed: " + e);
        } finally {
            closeStream();
        }
    }

    private void closeStream() {
        InputStream stream = in;
        in = null;
        if (stream != null) {
            try {
                stream.close(); // returns the codec's buffers to the supplier
            } catch (IOException | RuntimeException e) {
                // The scan already failed or succeeded; a failing close of a memory-backed stream changes neither.
            }
        }
    }

    private void scanRecords(
            long baseTimestamp,
            int count,
            boolean checkTimestamps,
            long minTimestamp,
            long maxTimestamp,
            boolean keyRequired) {
        for (int i = 0; i < count; i++) {
            int length = readVarint();
            if (length < MIN_RECORD_BODY) {
                throw new InvalidRecordException("Record " + i + " has an invalid length " + length);
            }
            long start = position();
            readByte(); // attributes: unused in v2
            long timestamp = baseTimestamp + readVarlong();
            int offsetDelta = readVarint();
            if (offsetDelta != i) {
                throw new InvalidRecordException(
                        "Record " + i + " of the batch has offset delta " + offsetDelta + " instead of " + i);
            }
            int keyLength = readVarint();
            if (keyLength < 0 && keyRequired) {
                throw new InvalidRecordException(
                        "Compacted topic cannot accept a record without key (record " + i + " of the batch)");
            }
            skipWithin(keyLength, start, length, i);
            skipWithin(readVarint(), start, length, i); // value; -1 = null
            int headers = readVarint();
            if (headers < 0) {
                throw new InvalidRecordException(
                        "Found invalid number of record headers " + headers + " in record " + i);
            }
            for (int h = 0; h < headers; h++) {
                int headerKeyLength = readVarint();
                if (headerKeyLength < 0) {
                    throw new InvalidRecordException(
                            "Invalid negative header key size " + headerKeyLength + " in record " + i);
                }
                skipWithin(headerKeyLength, start, length, i);
                skipWithin(readVarint(), start, length, i); // header value; -1 = null
            }
            long used = position() - start;
            if (used != length) {
                throw new InvalidRecordException("Invalid record size: expected to read " + length
                        + " bytes in record payload, but instead read " + used + " (record " + i + ")");
            }
            if (timestamp != RecordBatch.NO_TIMESTAMP) {
                if (checkTimestamps && (timestamp < minTimestamp || timestamp > maxTimestamp)) {
                    throw new InvalidTimestampException("Timestamp " + timestamp + " of record " + i
                            + " is out of range. The timestamp should be within [" + minTimestamp + ", "
                            + maxTimestamp + "]");
                }
                maxRecordTimestamp = Math.max(maxRecordTimestamp, timestamp);
            }
        }
    }

    /**
     * Skips a field of {@code n} bytes (nothing for a negative length, which means null) of record {@code i} that
     * started at {@code start} and declared {@code length} bytes; a field reaching past the record refuses the batch,
     * so a lying length can neither run into the next record nor make a compressed stream inflate further.
     */
    private void skipWithin(int n, long start, int length, int i) {
        if (n <= 0) {
            return;
        }
        if (position() - start + n > length) {
            throw new InvalidRecordException("Invalid record size: a field of record " + i + " (" + n
                    + " bytes) reaches past the record's declared length " + length);
        }
        skip(n);
    }

    /** Bytes of the record stream consumed so far. */
    private long position() {
        return in == null ? pos : streamBytes - (limit - pos);
    }

    private int readByte() {
        if (pos == limit) {
            if (in == null) {
                throw new InvalidRecordException("Incorrect declared batch size, premature end of the records");
            }
            refill();
        }
        return in == null ? buffer.get(pos++) & 0xff : chunk[pos++] & 0xff;
    }

    private void skip(int n) {
        if (in == null) {
            if (n > limit - pos) {
                throw new InvalidRecordException("Incorrect declared batch size, premature end of the records");
            }
            pos += n;
            return;
        }
        int left = n;
        while (left > 0) {
            if (pos == limit) {
                refill();
            }
            int take = Math.min(left, limit - pos);
            pos += take;
            left -= take;
        }
    }

    private void refill() {
        int n;
        try {
            n = in.read(chunk, 0, CHUNK_BYTES);
        } catch (IOException e) {
            throw new CorruptRecordException("The compressed records of the batch cannot be decompressed: " + e);
        }
        if (n <= 0) {
            throw new InvalidRecordException("Incorrect declared batch size, premature end of the records");
        }
        streamBytes += n;
        if (streamBytes > budget) {
            throw new InvalidRecordException(
                    "The batch decompresses to more than " + budget + " bytes of records; refused");
        }
        pos = 0;
        limit = n;
    }

    /** A zig-zag encoded varint of at most 5 bytes, as in Kafka's record format. */
    private int readVarint() {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = readByte();
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new InvalidRecordException("Varint is longer than 5 bytes");
    }

    /** A zig-zag encoded varlong of at most 10 bytes. */
    private long readVarlong() {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = readByte();
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new InvalidRecordException("Varlong is longer than 10 bytes");
    }
}
