package dev.skein.broker.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Keyed records for the compaction tests and a model of what a compacted log must contain. */
final class CompactionFixture {
    /** One record as appended or read: offset, key, value (null for a tombstone). */
    record Entry(long offset, String key, String value) {
        @Override
        public String toString() {
            return offset + ":" + key + "=" + value;
        }
    }

    private final List<Entry> appended = new ArrayList<>();

    /** Appends one batch of key/value pairs ({@code null} value = tombstone) and remembers their offsets. */
    void append(PartitionLog log, Compression compression, long timestamp, String... keyValues) {
        SimpleRecord[] records = new SimpleRecord[keyValues.length / 2];
        for (int i = 0; i < records.length; i++) {
            String value = keyValues[2 * i + 1];
            records[i] = new SimpleRecord(timestamp, utf8(keyValues[2 * i]), value == null ? null : utf8(value));
        }
        long first =
                log.append(MemoryRecords.withRecords(compression, records), 0).firstOffset();
        for (int i = 0; i < records.length; i++) {
            appended.add(new Entry(first + i, keyValues[2 * i], keyValues[2 * i + 1]));
        }
    }

    List<Entry> appended() {
        return List.copyOf(appended);
    }

    /**
     * What a clean up to {@code cleanedTo} must leave: every record at or after it, and below it only the latest
     * record of each key (tombstones included when {@code keepTombstones}).
     */
    List<Entry> expectedAfterClean(long cleanedTo, boolean keepTombstones) {
        Map<String, Long> latest = new HashMap<>();
        for (Entry e : appended) {
            if (e.offset() < cleanedTo) {
                latest.put(e.key(), e.offset());
            }
        }
        List<Entry> out = new ArrayList<>();
        for (Entry e : appended) {
            boolean dirtyOrActive = e.offset() >= cleanedTo;
            boolean latestOfKey = latest.get(e.key()) == e.offset();
            if (dirtyOrActive || (latestOfKey && (e.value() != null || keepTombstones))) {
                out.add(e);
            }
        }
        return out;
    }

    /** The latest value of each key over the whole log, as a consumer reading to the end sees it. */
    static Map<String, String> latestValues(List<Entry> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.value() == null) {
                out.remove(e.key());
            } else {
                out.put(e.key(), e.value());
            }
        }
        return out;
    }

    /** Every record of the log from its start, validating each batch's CRC and offset order. */
    static List<Entry> readAll(PartitionLog log) {
        List<Entry> out = new ArrayList<>();
        long next = log.logStartOffset();
        long previous = -1;
        while (next < log.logEndOffset()) {
            PartitionLog.FetchSlice slice = log.read(next, Integer.MAX_VALUE, Long.MAX_VALUE, true);
            boolean any = false;
            for (RecordBatch batch : slice.records().batches()) {
                batch.ensureValid();
                if (batch.baseOffset() <= previous) {
                    throw new AssertionError("Batch at " + batch.baseOffset() + " does not follow " + previous);
                }
                previous = batch.lastOffset();
                for (Record r : batch) {
                    out.add(new Entry(r.offset(), string(r.key()), r.hasValue() ? string(r.value()) : null));
                }
                next = batch.nextOffset();
                any = true;
            }
            if (!any) {
                break;
            }
        }
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
