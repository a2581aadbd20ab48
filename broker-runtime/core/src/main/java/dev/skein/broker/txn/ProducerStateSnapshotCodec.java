package dev.skein.broker.txn;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;

/**
 * Binary form of a partition's producer state, stored as one value in the broker's MapDB store. All integers are
 * big-endian.
 *
 * <pre>
 * version          int8   = 1
 * producerCount    int32
 * producerCount times:
 *   producerId             int64
 *   epoch                  int16
 *   coordinatorEpoch       int32   (-1 before the first marker)
 *   currentTxnFirstOffset  int64   (-1 when no transaction is open)
 *   lastTimestamp          int64
 *   batchCount             int8    (0..5)
 *   batchCount times, oldest first:
 *     firstSeq         int32
 *     lastSeq          int32
 *     firstOffset      int64
 *     lastOffsetDelta  int32
 *     timestamp        int64
 * crc32c           int32   over every preceding byte, version included
 * </pre>
 *
 * A reader rejects any other version: a new layout gets a new version number and a decoder for the old ones.
 * Stateless; safe from any thread.
 */
public final class ProducerStateSnapshotCodec {
    static final byte VERSION_1 = 1;

    private static final int HEADER_BYTES = 1 + 4;
    private static final int CRC_BYTES = 4;
    private static final int ENTRY_BYTES = 8 + 2 + 4 + 8 + 8 + 1;
    private static final int BATCH_BYTES = 4 + 4 + 8 + 4 + 8;

    private ProducerStateSnapshotCodec() {}

    static byte[] encode(Collection<ProducerEntry> entries) {
        int size = HEADER_BYTES + CRC_BYTES;
        for (ProducerEntry entry : entries) {
            size += ENTRY_BYTES + entry.batches().size() * BATCH_BYTES;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put(VERSION_1);
        buffer.putInt(entries.size());
        for (ProducerEntry entry : entries) {
            List<ProducerEntry.BatchMetadata> batches = entry.batches();
            buffer.putLong(entry.producerId());
            buffer.putShort(entry.epoch());
            buffer.putInt(entry.coordinatorEpoch());
            buffer.putLong(entry.currentTxnFirstOffset().orElse(-1L));
            buffer.putLong(entry.lastTimestamp());
            buffer.put((byte) batches.size());
            for (ProducerEntry.BatchMetadata batch : batches) {
                buffer.putInt(batch.firstSeq());
                buffer.putInt(batch.lastSeq());
                buffer.putLong(batch.firstOffset());
                buffer.putInt(batch.lastOffsetDelta());
                buffer.putLong(batch.timestamp());
            }
        }
        buffer.putInt((int) crc(buffer.array(), size - CRC_BYTES));
        return buffer.array();
    }

    static List<ProducerEntry> decode(TopicPartition topicPartition, byte[] bytes) {
        String what = "Producer state snapshot of " + topicPartition;
        if (bytes.length < HEADER_BYTES + CRC_BYTES) {
            throw new CorruptSnapshotException(what + " is truncated: " + bytes.length + " bytes");
        }
        if (bytes[0] != VERSION_1) {
            throw new CorruptSnapshotException(
                    what + " has unknown format version " + bytes[0] + " (supported: " + VERSION_1 + ")");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int storedCrc = buffer.getInt(bytes.length - CRC_BYTES);
        int actualCrc = (int) crc(bytes, bytes.length - CRC_BYTES);
        if (storedCrc != actualCrc) {
            throw new CorruptSnapshotException(what + " fails its checksum: stored " + Integer.toHexString(storedCrc)
                    + ", computed " + Integer.toHexString(actualCrc));
        }
        buffer.limit(bytes.length - CRC_BYTES).position(1);
        try {
            return readEntries(buffer, what);
        } catch (BufferUnderflowException e) {
            throw new CorruptSnapshotException(what + " ends in the middle of an entry", e);
        }
    }

    private static List<ProducerEntry> readEntries(ByteBuffer buffer, String what) {
        int count = buffer.getInt();
        if (count < 0 || (long) count * ENTRY_BYTES > buffer.remaining()) {
            throw new CorruptSnapshotException(
                    what + " claims " + count + " producers in " + buffer.remaining() + " bytes");
        }
        List<ProducerEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long producerId = buffer.getLong();
            short epoch = buffer.getShort();
            int coordinatorEpoch = buffer.getInt();
            long txnFirstOffset = buffer.getLong();
            long lastTimestamp = buffer.getLong();
            int batchCount = buffer.get();
            if (batchCount < 0 || batchCount > ProducerEntry.MAX_BATCHES) {
                throw new CorruptSnapshotException(what + " has " + batchCount + " batches for producer " + producerId);
            }
            List<ProducerEntry.BatchMetadata> batches = new ArrayList<>(batchCount);
            for (int b = 0; b < batchCount; b++) {
                batches.add(new ProducerEntry.BatchMetadata(
                        buffer.getInt(), buffer.getInt(), buffer.getLong(), buffer.getInt(), buffer.getLong()));
            }
            entries.add(new ProducerEntry(producerId, epoch, coordinatorEpoch, txnFirstOffset, lastTimestamp, batches));
        }
        if (buffer.hasRemaining()) {
            throw new CorruptSnapshotException(what + " has " + buffer.remaining() + " unexpected trailing bytes");
        }
        return entries;
    }

    private static long crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return crc.getValue();
    }
}
