package dev.skein.broker.log;

/**
 * Where a batch of a partition log starts: its offset, the segment holding it and the byte position there (Kafka's
 * {@code LogOffsetMetadata}). Lets a parked fetch estimate how many bytes arrived past its fetch offset by comparing
 * positions instead of reading records (see {@link PartitionLog#positionOf}, {@link PartitionLog#bytesAvailable}).
 * Opaque outside this package; stays meaningful while its segment is part of the log.
 */
public final class LogPosition {
    private final long offset;
    private final LogSegment segment;
    private final int position;

    LogPosition(long offset, LogSegment segment, int position) {
        this.offset = offset;
        this.segment = segment;
        this.position = position;
    }

    public long offset() {
        return offset;
    }

    LogSegment segment() {
        return segment;
    }

    int position() {
        return position;
    }

    @Override
    public String toString() {
        return "LogPosition(" + offset + " at " + segment.baseOffset() + "+" + position + ")";
    }
}
