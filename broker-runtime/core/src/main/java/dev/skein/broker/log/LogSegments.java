package dev.skein.broker.log;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The segments of one partition log, oldest first; the last one is the active segment (Kafka's {@code LogSegments}).
 * The list is immutable and published through a volatile field, so readers take no lock and always iterate a
 * consistent list, while the writer replaces it whole on a roll, a truncation, a retention pass or a cleaner swap.
 *
 * <p>Threading: {@link #publish} and {@link #add} are called only by the log's single writer (the {@link PartitionLog}
 * monitor held, and its flush lock for anything but a roll); every other method may be called by any thread.
 */
final class LogSegments {
    private volatile List<LogSegment> segments;

    LogSegments(List<LogSegment> initial) {
        this.segments = List.copyOf(initial);
    }

    /** The published segment list (immutable), oldest first; the last one is the active segment. */
    List<LogSegment> list() {
        return segments;
    }

    /** Replaces the whole list (truncation, retention, a cleaner swap). */
    void publish(List<LogSegment> list) {
        segments = List.copyOf(list);
    }

    /** Appends a newly rolled active segment. */
    void add(LogSegment next) {
        List<LogSegment> list = new ArrayList<>(segments);
        list.add(next);
        segments = List.copyOf(list);
    }

    int size() {
        return segments.size();
    }

    long sizeInBytes() {
        long size = 0;
        for (LogSegment s : segments) {
            size += s.sizeInBytes();
        }
        return size;
    }

    /** The segment holding the record with the largest timestamp, or null when no segment has a timestamp. */
    LogSegment maxTimestampSegment() {
        LogSegment best = null;
        for (LogSegment segment : segments) {
            if (segment.maxTimestamp() != RecordBatch.NO_TIMESTAMP
                    && (best == null || segment.maxTimestamp() > best.maxTimestamp())) {
                best = segment;
            }
        }
        return best;
    }

    /** Index of the last segment whose base offset is <= {@code offset}, or 0. */
    static int floorIndex(List<LogSegment> segments, long offset) {
        int lo = 0;
        int hi = segments.size() - 1;
        int found = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (segments.get(mid).baseOffset() <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
