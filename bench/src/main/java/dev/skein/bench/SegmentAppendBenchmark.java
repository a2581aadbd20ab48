package dev.skein.bench;

import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.Microbenchmarks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Batch append to one log segment ({@link Microbenchmarks.Segment}, the layer under {@code PartitionLog}: one file write plus sparse offset and
 * time index entries every 4 KiB), with and without an {@code fsync} of the segment after each batch ({@code fsync}
 * = {@link Microbenchmarks.Segment#flush}: data, then indexes). The batch is 64 records of 1 KiB (half random, half zero bytes,
 * uncompressed, ~66 KB); each invocation rewrites its base offset in place so offsets keep increasing. The segment
 * is replaced by a fresh one every 256 MiB. Score: batches per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SegmentAppendBenchmark extends JmhDefaults {
    private static final int RECORDS = 64;
    private static final int INDEX_INTERVAL_BYTES = 4096;
    private static final int ROLL_BYTES = 256 * 1024 * 1024;

    @Param({"false", "true"})
    public boolean fsync;

    private Path dir;
    private Microbenchmarks.Segment segment;
    private ByteBuffer batch;
    private long nextOffset;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("skein-segment-bench");
        segment = Microbenchmarks.openSegment(dir, 0, LogConfig.defaults(), System.currentTimeMillis());
        batch = RecordBatches.batch(RecordBatches.halfRandomValues(RECORDS, 1024, 42), Compression.NONE);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        segment.close();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public int append() throws IOException {
        if (segment.sizeInBytes() > ROLL_BYTES) {
            segment.delete();
            segment = Microbenchmarks.openSegment(dir, nextOffset, LogConfig.defaults(), System.currentTimeMillis());
        }
        MemoryRecords records = MemoryRecords.readableRecords(batch.duplicate());
        MutableRecordBatch b = records.batches().iterator().next();
        b.setLastOffset(nextOffset + RECORDS - 1);
        int position = segment.append(records, INDEX_INTERVAL_BYTES);
        nextOffset += RECORDS;
        if (fsync) {
            segment.flush();
        }
        return position;
    }
}
