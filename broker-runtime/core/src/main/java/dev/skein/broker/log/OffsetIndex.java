package dev.skein.broker.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Sparse map from offset to file position within one segment ({@code %020d.index}).
 *
 * <p>On disk: a sequence of 8-byte big-endian entries {@code [int relativeOffset][int position]}, where
 * {@code relativeOffset = lastOffsetOfBatch - baseOffset} and {@code position} is the byte position of that batch in
 * the segment's {@code .log}. Entries are strictly increasing in both fields; one is written every
 * {@code index.interval.bytes} of appended data. A lookup returns the position of a batch at or before the wanted
 * offset, from which the log is scanned forward. The index is a cache: it can always be rebuilt from the log.
 *
 * <p>Threading as {@link MappedIndex}.
 */
final class OffsetIndex extends MappedIndex {
    static final int ENTRY_SIZE = 8;

    private OffsetIndex(Path file, long baseOffset, int maxIndexBytes, int entries, boolean writable)
            throws IOException {
        super(file, baseOffset, ENTRY_SIZE, maxIndexBytes, map(file, ENTRY_SIZE, maxIndexBytes, writable), entries);
    }

    /** Opens or creates the index; {@code writable} pre-allocates room for appends. */
    static OffsetIndex open(Path file, long baseOffset, int maxIndexBytes, boolean writable) throws IOException {
        return new OffsetIndex(file, baseOffset, maxIndexBytes, entriesOnDisk(file, ENTRY_SIZE), writable);
    }

    /** Records that the batch ending at {@code lastOffset} starts at {@code position}. */
    synchronized void append(long lastOffset, int position) {
        int relative = relativeOffset(lastOffset);
        if (entries() > 0 && relative <= (int) (offsetAt(entries() - 1) - baseOffset())) {
            throw new IllegalArgumentException("Offset " + lastOffset + " is not larger than the last index entry");
        }
        appendSlot().putInt(relative).putInt(position);
    }

    /** Position of the last indexed batch ending at or before {@code offset}, or 0 (the segment start). */
    synchronized int lookup(long offset) {
        int n = largestLowerBound(offset);
        return n < 0 ? 0 : buffer().getInt(n * ENTRY_SIZE + 4);
    }

    /** Position recorded by the last entry, or 0. */
    synchronized int lastPosition() {
        int n = entries();
        return n == 0 ? 0 : buffer().getInt((n - 1) * ENTRY_SIZE + 4);
    }

    @Override
    long keyAt(int n) {
        return offsetAt(n);
    }

    @Override
    long offsetAt(int n) {
        return baseOffset() + buffer().getInt(n * ENTRY_SIZE);
    }
}
