package dev.skein.broker.log;

import java.util.List;

/**
 * Which segments of a compacted log the cleaner may rewrite, and how dirty they are: a pure function of the segment
 * list, the topic config, the clock, the last stable offset and the cleaner checkpoint.
 *
 * <p>Segments {@code [0, firstUncleanable)} are cleanable: closed (never the active segment), entirely below the high
 * watermark, and — when {@code min.compaction.lag.ms} is set — holding no record whose timestamp is younger than the
 * lag (the first segment that does ends the range, as in Kafka). Of those, segments {@code [firstDirty,
 * firstUncleanable)} are dirty: not yet cleaned, i.e. at or after the checkpoint (the first offset the previous clean
 * did not cover). The dirty ratio is dirty bytes over cleanable bytes.
 */
record CleanableRange(int firstDirty, int firstUncleanable, long cleanBytes, long dirtyBytes) {

    static CleanableRange of(
            List<LogSegment> segments, LogConfig config, long nowMs, long lastStableOffset, long checkpoint) {
        long lag = config.minCompactionLagMs();
        int uncleanable = 0;
        while (uncleanable < segments.size() - 1) {
            LogSegment s = segments.get(uncleanable);
            if (s.nextOffset() > lastStableOffset || (lag > 0 && s.maxTimestamp() > nowMs - lag)) {
                break;
            }
            uncleanable++;
        }
        int dirty = 0;
        while (dirty < uncleanable && segments.get(dirty).nextOffset() <= checkpoint) {
            dirty++;
        }
        long clean = 0;
        long dirtyBytes = 0;
        for (int i = 0; i < uncleanable; i++) {
            if (i < dirty) {
                clean += segments.get(i).sizeInBytes();
            } else {
                dirtyBytes += segments.get(i).sizeInBytes();
            }
        }
        return new CleanableRange(dirty, uncleanable, clean, dirtyBytes);
    }

    /** Dirty bytes over cleanable bytes; 0 when nothing is cleanable. */
    double dirtyRatio() {
        long total = cleanBytes + dirtyBytes;
        return total == 0 ? 0.0 : (double) dirtyBytes / total;
    }
}
