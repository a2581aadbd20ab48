package dev.skein.broker.log;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Checks the record batches of one produce request before anything is written. Pure function of its inputs; reads
 * the buffer, never modifies it.
 *
 * <p>A request is accepted only if it consists of whole batches, each of magic v2, with a valid CRC, at most
 * {@code max.message.bytes}, holding at least one record and a record count matching its last offset delta.
 */
final class AppendValidator {
    private AppendValidator() {}

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
