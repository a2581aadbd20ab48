package dev.skein.broker.log;

import java.util.List;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Which segments retention may delete: a pure function of the segment list, the topic config, the clock and the high
 * watermark.
 *
 * <p>Only a prefix of whole, non-active segments that lie entirely below the high watermark is ever deletable. A
 * segment goes when its largest record timestamp (its creation time if it holds no timestamp) is more than
 * {@code retention.ms} old, or when the partition without it would still be at least {@code retention.bytes} large.
 * Nothing is deleted unless {@code cleanup.policy} includes {@code delete}.
 */
final class RetentionPolicy {
    private RetentionPolicy() {}

    /** The number of leading segments of {@code segments} to delete. */
    static int deletableSegments(List<LogSegment> segments, LogConfig config, long nowMs, long highWatermark) {
        if (!config.delete()) {
            return 0;
        }
        long excess = 0;
        if (config.retentionBytes() >= 0) {
            long size = 0;
            for (LogSegment s : segments) {
                size += s.sizeInBytes();
            }
            excess = size - config.retentionBytes();
        }
        int deletable = 0;
        while (deletable < segments.size() - 1) {
            LogSegment s = segments.get(deletable);
            if (s.nextOffset() > highWatermark) {
                break;
            }
            long newest = s.maxTimestamp() == RecordBatch.NO_TIMESTAMP ? s.createdMs() : s.maxTimestamp();
            boolean expired = config.retentionMs() >= 0 && nowMs - newest > config.retentionMs();
            boolean oversize = excess > 0 && excess >= s.sizeInBytes();
            if (!expired && !oversize) {
                break;
            }
            excess -= s.sizeInBytes();
            deletable++;
        }
        return deletable;
    }
}
