package dev.skein.broker.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Checks record batches before anything is written.
 *
 * <p>{@link #validate} is the structural check for batches the broker trusts (the group coordinator's own writes,
 * replicated batches): whole batches, each of magic v2, with a valid CRC, at most the size limit, holding at least one
 * record and a record count matching its last offset delta. It reads the buffer and never modifies it.
 *
 * <p>{@link #validateClientBatch} is what a producer's bytes must pass, following Kafka's {@code ProduceRequest}
 * and {@code LogValidator} rules and stricter where Kafka trusts the client (see {@link RecordScanner}): exactly one
 * batch per partition, the records really there as declared, no control batch (a transactional batch passes: the
 * produce path verified it with the transaction coordinator first), no client-chosen LogAppendTime,
 * timestamps inside the topic's window. It may rewrite the batch's max timestamp when the header disagrees with the
 * records (as Kafka does), nothing else.
 */
final class AppendValidator {
    /** Budget of decompressed record bytes per batch: at least 64 MiB, else 32 times {@code max.message.bytes}. */
    static final long MIN_DECOMPRESSED_BUDGET = 64L << 20;

    private static final int LOG_OVERHEAD = 12;
    private static final int MAGIC_OFFSET = 16;
    private static final ThreadLocal<RecordScanner> SCANNERS = ThreadLocal.withInitial(RecordScanner::new);

    private AppendValidator() {}

    /** The decompressed-bytes budget of a batch under {@code cfg}. */
    static long decompressedBudget(LogConfig cfg) {
        return Math.max(MIN_DECOMPRESSED_BUDGET, 32L * cfg.maxMessageBytes());
    }

    /**
     * Validates the records a producer sent for one partition.
     *
     * @return the single batch, ready for offset assignment
     * @throws InvalidRecordException (INVALID_RECORD) for no batch, more than one batch, magic other than 2, a count
     *     that contradicts the offsets or the records, a control batch, a negative sequence of an idempotent batch, a
     *     keyless record in a compacted topic or a batch decompressing beyond the budget
     * @throws CorruptRecordException (CORRUPT_MESSAGE) for a torn batch, a CRC mismatch or undecodable compression
     * @throws RecordTooLargeException (MESSAGE_TOO_LARGE) above {@code max.message.bytes}
     * @throws InvalidTimestampException (INVALID_TIMESTAMP) for a LogAppendTime batch from a client or a CreateTime
     *     timestamp outside [now - message.timestamp.before.max.ms, now + message.timestamp.after.max.ms]
     */
    static MutableRecordBatch validateClientBatch(MemoryRecords records, LogConfig cfg, long now) {
        int size = records.sizeInBytes();
        if (size == 0) {
            throw new InvalidRecordException("Produce request holds no record batch for the partition");
        }
        ByteBuffer buffer = records.buffer();
        int start = buffer.position();
        if (size > MAGIC_OFFSET && buffer.get(start + MAGIC_OFFSET) != RecordBatch.MAGIC_VALUE_V2) {
            throw new InvalidRecordException("Produce requests may only contain record batches with magic version 2");
        }
        if (size < DefaultRecordBatch.RECORD_BATCH_OVERHEAD) {
            throw new CorruptRecordException("Record batch of " + size + " bytes is shorter than a batch header");
        }
        long declared = LOG_OVERHEAD + (long) buffer.getInt(start + LOG_OVERHEAD - 4);
        if (declared < DefaultRecordBatch.RECORD_BATCH_OVERHEAD || declared > size) {
            throw new CorruptRecordException(
                    "Record batch declares " + declared + " bytes but " + size + " bytes were sent");
        }
        if (declared < size) {
            throw new InvalidRecordException(
                    "Produce requests may only contain exactly one record batch per partition");
        }
        if (size > cfg.maxMessageBytes()) {
            throw new RecordTooLargeException(
                    "Record batch of " + size + " bytes exceeds max.message.bytes " + cfg.maxMessageBytes());
        }
        MutableRecordBatch batch = records.batches().iterator().next();
        batch.ensureValid();
        int count = checkHeader(batch);
        boolean createTime = !cfg.logAppendTime();
        long before = cfg.messageTimestampBeforeMaxMs();
        long after = cfg.messageTimestampAfterMaxMs();
        long minTimestamp = before >= now ? Long.MIN_VALUE : now - before;
        long maxTimestamp = after >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + after;
        long recordMax = SCANNERS.get()
                .scan(
                        (DefaultRecordBatch) batch,
                        buffer,
                        count,
                        createTime,
                        minTimestamp,
                        maxTimestamp,
                        cfg.compact(),
                        decompressedBudget(cfg));
        if (createTime && recordMax != RecordBatch.NO_TIMESTAMP && batch.maxTimestamp() != recordMax) {
            // The header's max timestamp drives the time index and retention: it must be the records' one.
            batch.setMaxTimestamp(TimestampType.CREATE_TIME, recordMax);
        }
        return batch;
    }

    /** Header rules of a client batch whose CRC is valid; returns its record count. */
    private static int checkHeader(MutableRecordBatch batch) {
        try {
            batch.compressionType();
        } catch (IllegalArgumentException e) {
            throw new CorruptRecordException("Record batch uses an unknown compression codec: " + e.getMessage());
        }
        long lastOffsetDelta = batch.lastOffset() - batch.baseOffset();
        Integer count = batch.countOrNull();
        if (count == null || count <= 0) {
            throw new InvalidRecordException("Invalid reported count for record batch: " + count);
        }
        if (lastOffsetDelta + 1 != count) {
            throw new InvalidRecordException("Inconsistent batch offset range: last offset delta " + lastOffsetDelta
                    + " and count of records " + count);
        }
        if (batch.isControlBatch()) {
            throw new InvalidRecordException("Clients are not allowed to write control records");
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            throw new InvalidRecordException("Invalid sequence number " + batch.baseSequence()
                    + " in record batch with producerId " + batch.producerId());
        }
        if (batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
            throw new InvalidTimestampException(
                    "Invalid timestamp type in the batch: producers must not set LogAppendTime");
        }
        return count;
    }

    /** The batches of a validated request, in order, and the number of records they hold. */
    record ValidBatches(List<MutableRecordBatch> batches, long recordCount) {}

    /**
     * @throws UnsupportedForMessageFormatException for a batch of magic 0 or 1
     * @throws CorruptRecordException for a CRC mismatch, an impossible length or trailing bytes
     * @throws RecordTooLargeException for a batch above {@code maxBatchBytes}
     * @throws InvalidRecordException for an empty request or batch, or a record count that contradicts the offsets
     */
    static ValidBatches validate(MemoryRecords records, int maxBatchBytes) {
        if (records.sizeInBytes() == 0) {
            throw new InvalidRecordException("Produce request holds no record batch");
        }
        List<MutableRecordBatch> batches = new ArrayList<>(1);
        long recordCount = 0;
        int bytes = 0;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new UnsupportedForMessageFormatException(
                        "Record batch magic " + batch.magic() + " is not supported; only v2 batches are accepted");
            }
            if (batch.sizeInBytes() > maxBatchBytes) {
                throw new RecordTooLargeException(
                        "Record batch of " + batch.sizeInBytes() + " bytes exceeds max.message.bytes " + maxBatchBytes);
            }
            batch.ensureValid();
            Integer count = batch.countOrNull();
            long lastOffsetDelta = batch.lastOffset() - batch.baseOffset();
            if (count == null || count <= 0) {
                throw new InvalidRecordException("Record batch holds no record");
            }
            if (lastOffsetDelta != count - 1) {
                throw new InvalidRecordException(
                        "Record batch holds " + count + " records but its last offset delta is " + lastOffsetDelta);
            }
            recordCount += count;
            bytes += batch.sizeInBytes();
            batches.add(batch);
        }
        if (bytes != records.sizeInBytes()) {
            throw new CorruptRecordException("Produce request has " + (records.sizeInBytes() - bytes)
                    + " trailing bytes that do not form a whole record batch");
        }
        return new ValidBatches(batches, recordCount);
    }
}
