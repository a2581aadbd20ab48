package dev.skein.broker.log;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

/**
 * The deliberate public way into three package-private parts of the log, for the JMH microbenchmarks of the bench
 * module (which measure them without the {@link PartitionLog} around them): producer-batch validation, one segment's
 * append and flush, and the offset index's lookup. The broker itself never calls this class, and it opens nothing
 * else: the handles expose only the operations those benchmarks time, with the contracts of the methods they call.
 *
 * <p>Threading: as the wrapped classes: a {@link Segment} has one writer; an {@link Index} is safe to share.
 */
public final class Microbenchmarks {
    private Microbenchmarks() {}

    /**
     * What a producer's batch for one partition must pass before it is appended (see {@code AppendValidator}).
     *
     * @return the single batch, ready for offset assignment
     * @throws org.apache.kafka.common.errors.ApiException the matching Kafka error for a batch the broker refuses
     */
    public static MutableRecordBatch validateClientBatch(MemoryRecords records, LogConfig config, long nowMs) {
        return AppendValidator.validateClientBatch(records, config, nowMs);
    }

    /** Opens (or creates) the active segment starting at {@code baseOffset} in {@code dir}. */
    public static Segment openSegment(Path dir, long baseOffset, LogConfig config, long nowMs) throws IOException {
        return new Segment(LogSegment.open(dir, baseOffset, config, nowMs, true));
    }

    /** Opens (or creates) a writable offset index file of at most {@code maxIndexBytes}. */
    public static Index openOffsetIndex(Path file, long baseOffset, int maxIndexBytes) throws IOException {
        return new Index(OffsetIndex.open(file, baseOffset, maxIndexBytes, true));
    }

    /** One log segment: its data file and its offset and time indexes. */
    public static final class Segment implements AutoCloseable {
        private final LogSegment segment;

        private Segment(LogSegment segment) {
            this.segment = segment;
        }

        /**
         * Appends batches whose offsets are already assigned (above the segment's last one), adding sparse index
         * entries every {@code indexIntervalBytes}; not durable until {@link #flush}.
         *
         * @return the byte position the records were written at
         */
        public int append(MemoryRecords records, int indexIntervalBytes) throws IOException {
            return segment.append(records, indexIntervalBytes);
        }

        /** Makes everything appended durable: fsync of the data file, then of the indexes. */
        public void flush() throws IOException {
            segment.flush();
        }

        /** Bytes in the data file. */
        public int sizeInBytes() {
            return segment.sizeInBytes();
        }

        /** Deletes the segment's data and index files (the benchmark then opens a fresh segment). */
        public void delete() throws IOException {
            segment.delete();
        }

        @Override
        public void close() throws IOException {
            segment.close();
        }
    }

    /** A segment's offset index: sparse map from offset to byte position in the segment. */
    public static final class Index implements AutoCloseable {
        private final OffsetIndex index;

        private Index(OffsetIndex index) {
            this.index = index;
        }

        /** Records that the batch ending at {@code lastOffset} starts at {@code position}; offsets must increase. */
        public void append(long lastOffset, int position) {
            index.append(lastOffset, position);
        }

        /** Position of the last indexed batch ending at or before {@code offset}, or 0 (the segment start). */
        public int lookup(long offset) {
            return index.lookup(offset);
        }

        @Override
        public void close() throws IOException {
            index.close();
        }
    }
}
