package dev.skein.broker.log;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.utils.internals.ByteBufferUnmapper;

/**
 * A memory-mapped, append-only array of fixed-width entries sorted by their key; the common part of {@link OffsetIndex}
 * and {@link TimeIndex}.
 *
 * <p>On disk the file is {@code entries * entrySize} bytes once trimmed; while the segment is active it is
 * pre-allocated to {@code maxIndexBytes} (rounded down to a whole entry) and the unused tail is zero. The number of
 * valid entries is therefore only known from a trimmed file; after an unclean shutdown the active segment's index is
 * rebuilt from the log, and {@link #sanityCheck} lets older indexes be rebuilt when they look wrong.
 *
 * <p>Threading: one writer (the partition's appender) and any number of readers; every method is synchronized on the
 * index, which is cheap because entries are few (sparse) and each call touches a handful of them.
 */
abstract class MappedIndex implements AutoCloseable {
    private final Path file;
    private final long baseOffset;
    private final int entrySize;
    private final int maxIndexBytes;
    private MappedByteBuffer mmap;
    private int entries;
    private boolean closed;

    MappedIndex(Path file, long baseOffset, int entrySize, int maxIndexBytes, MappedByteBuffer mmap, int entries) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        this.maxIndexBytes = maxIndexBytes;
        this.mmap = mmap;
        this.entries = entries;
    }

    /** Maps {@code file}, creating it if absent; {@code writable} extends it to its maximum size for appends. */
    static MappedByteBuffer map(Path file, int entrySize, int maxIndexBytes, boolean writable) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long length = raf.length();
            long usable = length - length % entrySize;
            if (writable) {
                usable = Math.max(usable, maxIndexBytes - maxIndexBytes % entrySize);
            }
            if (raf.length() != usable) {
                raf.setLength(usable);
            }
            return raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, usable);
        }
    }

    /** Whole entries in the file as found on disk, before {@link #map} may extend it. */
    static int entriesOnDisk(Path file, int entrySize) throws IOException {
        return Files.exists(file) ? (int) (Files.size(file) / entrySize) : 0;
    }

    final Path file() {
        return file;
    }

    final long baseOffset() {
        return baseOffset;
    }

    final synchronized int entries() {
        // closed: readers and a late writer see an empty index instead of touching unmapped memory
        return closed ? 0 : entries;
    }

    final synchronized boolean isFull() {
        return entries >= mmap.limit() / entrySize;
    }

    final synchronized int maxEntries() {
        return mmap.limit() / entrySize;
    }

    final int relativeOffset(long offset) {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Offset " + offset + " does not fit index with base " + baseOffset);
        }
        return (int) relative;
    }

    /** Caller holds the lock; writes one entry at the end. */
    final MappedByteBuffer appendSlot() {
        if (closed) {
            throw new IllegalStateException("Index " + file + " is closed");
        }
        if (entries >= mmap.limit() / entrySize) {
            throw new IllegalStateException("Index " + file + " is full (" + entries + " entries)");
        }
        mmap.position(entries * entrySize);
        entries++;
        return mmap;
    }

    final MappedByteBuffer buffer() {
        return mmap;
    }

    /** Caller holds the lock. Position of the largest entry whose key is <= target, or -1 when all are larger. */
    final int largestLowerBound(long target) {
        if (closed) {
            return -1;
        }
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (keyAt(mid) <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The sorted key of entry {@code n}: absolute offset or timestamp. */
    abstract long keyAt(int n);

    /** The absolute offset recorded by entry {@code n}. */
    abstract long offsetAt(int n);

    /** Drops every entry whose offset is >= {@code offset}. */
    final synchronized void truncateToOffset(long offset) {
        int keep = entries;
        while (keep > 0 && offsetAt(keep - 1) >= offset) {
            keep--;
        }
        for (int i = keep * entrySize; i < entries * entrySize; i++) {
            mmap.put(i, (byte) 0);
        }
        entries = keep;
    }

    final synchronized void reset() {
        truncateToOffset(Long.MIN_VALUE);
    }

    /** Throws {@link CorruptIndexException} when keys or offsets are not increasing or lie outside the segment. */
    final synchronized void sanityCheck(long nextOffsetOfSegment) {
        for (int i = 0; i < entries; i++) {
            long offset = offsetAt(i);
            if (offset < baseOffset || offset >= nextOffsetOfSegment) {
                throw new CorruptIndexException(file + ": entry " + i + " offset " + offset + " outside segment");
            }
            if (i > 0 && (keyAt(i) <= keyAt(i - 1) || offsetAt(i) < offsetAt(i - 1))) {
                throw new CorruptIndexException(file + ": entry " + i + " is not increasing");
            }
        }
    }

    final synchronized void flush() {
        if (!closed) {
            mmap.force();
        }
    }

    /** Shrinks the file to its entries (on roll and on close) and remaps it read-only in size. */
    final synchronized void trim() throws IOException {
        resize(entries * entrySize);
    }

    /** Grows a trimmed index back to its maximum so that it can take appends again (after truncation). */
    final synchronized void makeWritable() throws IOException {
        resize(Math.max(entries * entrySize, maxIndexBytes - maxIndexBytes % entrySize));
    }

    private void resize(int bytes) throws IOException {
        if (closed || mmap.limit() == bytes) {
            return;
        }
        mmap.force();
        ByteBufferUnmapper.unmap(file.toString(), mmap);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(bytes);
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, bytes);
        }
    }

    @Override
    public final synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        trim();
        unmap();
    }

    /** Readers that race with close see an empty index instead of touching unmapped memory. */
    private void unmap() throws IOException {
        closed = true;
        ByteBufferUnmapper.unmap(file.toString(), mmap);
    }

    /** Unmaps and deletes the file. */
    final synchronized void deleteFile() throws IOException {
        if (!closed) {
            unmap();
        }
        Files.deleteIfExists(file);
    }

    /** Thrown by {@link #sanityCheck}; the caller rebuilds the index from the log. */
    static final class CorruptIndexException extends RuntimeException {
        CorruptIndexException(String message) {
            super(message);
        }
    }
}
