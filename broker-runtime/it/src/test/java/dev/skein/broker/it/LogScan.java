package dev.skein.broker.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * A full scan of every partition log under a data directory, reading the segment files ({@code %020d.log}, v2
 * batches back to back) directly: each batch complete, magic 2, CRC32C valid, records parseable and as many as the
 * header's count, offsets strictly increasing across batches and segments, a segment's batches at or above its base
 * offset, and, outside compacted topics, no gaps (each batch starts right after the previous one ends and its count
 * equals {@code lastOffsetDelta + 1}). Must run while nothing appends (a torn tail is reported as a breach).
 */
final class LogScan {
    private LogScan() {}

    /** The breaches found, one line each; empty when every log is sound. */
    static List<String> scan(Path dataDir, Set<String> compactedTopics) throws IOException {
        List<String> breaches = new ArrayList<>();
        List<Path> partitionDirs;
        try (Stream<Path> dirs = Files.list(dataDir)) {
            partitionDirs = dirs.filter(Files::isDirectory)
                    .filter(d -> d.getFileName().toString().matches(".+-\\d+"))
                    .sorted()
                    .toList();
        }
        for (Path dir : partitionDirs) {
            String name = dir.getFileName().toString();
            String topic = name.substring(0, name.lastIndexOf('-'));
            boolean compacted = compactedTopics.contains(topic) || topic.startsWith("__");
            scanPartition(dir, compacted, breaches);
        }
        return breaches;
    }

    private static void scanPartition(Path dir, boolean compacted, List<String> breaches) throws IOException {
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .sorted()
                    .toList();
        } catch (NoSuchFileException deleted) {
            return;
        }
        long previousLast = -1;
        for (Path segment : segments) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(segment);
            } catch (NoSuchFileException deleted) {
                continue;
            }
            String file = segment.getFileName().toString();
            long segmentBase = Long.parseLong(file.substring(0, file.length() - 4));
            previousLast =
                    scanSegment(dir.getFileName() + "/" + file, bytes, segmentBase, previousLast, compacted, breaches);
        }
    }

    private static long scanSegment(
            String where, byte[] bytes, long segmentBase, long previousLast, boolean compacted, List<String> breaches) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int pos = 0;
        while (pos < bytes.length) {
            String at = where + "@" + pos;
            if (bytes.length - pos < BatchBytes.HEADER_SIZE) {
                breaches.add(at + ": " + (bytes.length - pos) + " trailing bytes, less than a batch header");
                return previousLast;
            }
            long baseOffset = buf.getLong(pos);
            int length = buf.getInt(pos + BatchBytes.BATCH_LENGTH);
            if (length < BatchBytes.HEADER_SIZE - 12 || (long) pos + 12 + length > bytes.length) {
                breaches.add(
                        at + ": batch length " + length + " does not fit the segment (" + bytes.length + " bytes)");
                return previousLast;
            }
            int size = 12 + length;
            String problem = checkBatch(buf, pos, size, baseOffset, segmentBase, previousLast, compacted);
            if (problem != null) {
                breaches.add(at + " (base offset " + baseOffset + "): " + problem);
            }
            previousLast = Math.max(previousLast, baseOffset + buf.getInt(pos + BatchBytes.LAST_OFFSET_DELTA));
            pos += size;
        }
        return previousLast;
    }

    private static String checkBatch(
            ByteBuffer buf,
            int pos,
            int size,
            long baseOffset,
            long segmentBase,
            long previousLast,
            boolean compacted) {
        if (buf.get(pos + BatchBytes.MAGIC) != RecordBatch.MAGIC_VALUE_V2) {
            return "magic " + buf.get(pos + BatchBytes.MAGIC);
        }
        long crc = Crc32C.compute(buf, pos + BatchBytes.ATTRIBUTES, size - BatchBytes.ATTRIBUTES);
        if ((int) crc != buf.getInt(pos + BatchBytes.CRC)) {
            return "CRC mismatch";
        }
        int count = buf.getInt(pos + BatchBytes.RECORDS_COUNT);
        int lastOffsetDelta = buf.getInt(pos + BatchBytes.LAST_OFFSET_DELTA);
        if (baseOffset < segmentBase) {
            return "below its segment's base offset " + segmentBase;
        }
        if (baseOffset <= previousLast) {
            return "offsets not increasing: previous batch ended at " + previousLast;
        }
        if (!compacted && previousLast >= 0 && baseOffset != previousLast + 1) {
            return "gap: previous batch ended at " + previousLast;
        }
        if (lastOffsetDelta < 0 || count < 0 || (!compacted && count != lastOffsetDelta + 1)) {
            return "count " + count + " vs lastOffsetDelta " + lastOffsetDelta;
        }
        int actual = 0;
        // streaming: the batch's plain iterator sizes a list by the header's count, which may be 2^31-1
        try {
            ByteBuffer slice = buf.duplicate().position(pos).limit(pos + size).slice();
            RecordBatch batch =
                    MemoryRecords.readableRecords(slice).batches().iterator().next();
            try (CloseableIterator<Record> records = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
                while (records.hasNext() && actual <= count) {
                    records.next();
                    actual++;
                }
            }
        } catch (RuntimeException e) {
            return "records unreadable after " + actual + " (header count " + count + "): " + e;
        }
        if (actual != count) {
            return "header count " + count + " but " + actual + " records";
        }
        return null;
    }
}
