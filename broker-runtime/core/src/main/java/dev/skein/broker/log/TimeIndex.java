package dev.skein.broker.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Sparse map from timestamp to offset within one segment ({@code %020d.timeindex}).
 *
 * <p>On disk: a sequence of 12-byte big-endian entries {@code [long timestamp][int relativeOffset]}: "up to and
 * including {@code baseOffset + relativeOffset}, the largest timestamp in this segment is {@code timestamp}".
 * Timestamps are strictly increasing, offsets non-decreasing. An entry is added at each offset-index interval when the
 * segment's running maximum timestamp grew, and once more when the segment stops being active. A lookup for
 * {@code t} returns an offset from which scanning forward finds the first record with timestamp >= t.
 *
 * <p>Threading as {@link MappedIndex}.
 */
final class TimeIndex extends MappedIndex {
    static final int ENTRY_SIZE = 12;

    private TimeIndex(Path file, long baseOffset, int maxIndexBytes, int entries, boolean writable) throws IOException {
        super(file, baseOffset, ENTRY_SIZE, maxIndexBytes, map(file, ENTRY_SIZE, maxIndexBytes, writable), entries);
    }

    static TimeIndex open(Path file, long baseOffset, int maxIndexBytes, boolean writable) throws IOException {
        return new TimeIndex(file, baseOffset, maxIndexBytes, entriesOnDisk(file, ENTRY_SIZE), writable);
    }

    /** Adds {@code (timestamp, offset)} unless the timestamp does not exceed the last entry's. */
    synchronized void maybeAppend(long timestamp, long offset) {
        int n = entries();
        if (n > 0 && timestamp <= keyAt(n - 1)) {
            return;
        }
        if (isFull()) {
            return;
        }
        appendSlot().putLong(timestamp).putInt(relativeOffset(offset));
    }

    /** Offset to start scanning from for the first record with timestamp >= {@code timestamp}; base offset if none. */
    synchronized long lookup(long timestamp) {
        int n = largestLowerBound(timestamp - 1);
        return n < 0 ? baseOffset() : offsetAt(n);
    }

    /** Timestamp of the last entry, or -1 when empty. */
    synchronized long lastTimestamp() {
        int n = entries();
        return n == 0 ? -1L : keyAt(n - 1);
    }

    synchronized long lastOffset() {
        int n = entries();
        return n == 0 ? baseOffset() : offsetAt(n - 1);
    }

    @Override
    long keyAt(int n) {
        return buffer().getLong(n * ENTRY_SIZE);
    }

    @Override
    long offsetAt(int n) {
        return baseOffset() + buffer().getInt(n * ENTRY_SIZE + 8);
    }
}
