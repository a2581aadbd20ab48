package dev.skein.bench;

import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.network.GatheringTransferableChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Fetch-side reads of 1 MiB slices from a log pre-filled with 256 MiB of uncompressed 64 x 1 KiB batches in
 * 128 MiB segments, cycling through the log (so every read is served from the page cache):
 *
 * <ul>
 *   <li>{@code readSlice}: {@link PartitionLog#read} alone: offset-index lookup and the file slice, no data moved;
 *   <li>{@code readAndCopy}: the slice copied into a direct buffer ({@code pread}), as a TLS listener would need;
 *   <li>{@code transferToDevNull}: the slice sent with {@code sendfile(2)} to {@code /dev/null};
 *   <li>{@code transferToLoopbackSocket}: the slice sent with {@code sendfile(2)} down a loopback TCP connection
 *       whose far end a second thread drains, which is the zero-copy path of a plaintext fetch.
 * </ul>
 *
 * <p>The primary score is slices per second; the auxiliary counter {@code sliceMiB} is MiB per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PartitionLogReadBenchmark extends JmhDefaults {
    static final int SLICE_BYTES = 1024 * 1024;
    static final long LOG_BYTES = 256L * 1024 * 1024;

    private BenchLog benchLog;
    private PartitionLog log;
    private long[] sliceOffsets;
    private int next;
    private ByteBuffer copyBuffer;
    private FileChannel devNull;
    private GatheringTransferableChannel devNullSink;
    private LoopbackSink loopback;
    private GatheringTransferableChannel loopbackSink;

    /** Per-iteration counter that JMH turns into MiB per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Throughput {
        public double sliceMiB;

        @Setup(Level.Iteration)
        public void reset() {
            sliceMiB = 0;
        }
    }

    @Setup(Level.Trial)
    public void fillLog() throws IOException {
        benchLog = BenchLog.open(Map.of(LogConfig.SEGMENT_BYTES, Integer.toString(128 * 1024 * 1024)));
        log = benchLog.log();
        ByteBuffer batch = RecordBatches.batch(
                RecordBatches.textValues(
                        PartitionLogAppendBenchmark.RECORDS_PER_BATCH, PartitionLogAppendBenchmark.RECORD_SIZE, 7L),
                Compression.NONE);
        while (log.sizeInBytes() < LOG_BYTES) {
            log.append(MemoryRecords.readableRecords(batch.duplicate()), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        sliceOffsets = sliceStarts(log);
        copyBuffer = ByteBuffer.allocateDirect(SLICE_BYTES + batch.remaining());
        devNull = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
        devNullSink = new GatheringTransferableChannel(devNull);
        loopback = LoopbackSink.open();
        loopbackSink = new GatheringTransferableChannel(loopback.channel());
    }

    /** The fetch offsets a consumer reading the whole log 1 MiB at a time would send. */
    private static long[] sliceStarts(PartitionLog log) {
        long end = log.logEndOffset();
        long[] starts = new long[16];
        int count = 0;
        long offset = log.logStartOffset();
        while (offset < end) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
            }
            starts[count++] = offset;
            long last = offset;
            for (RecordBatch b : log.read(offset, SLICE_BYTES, Long.MAX_VALUE, true)
                    .records()
                    .batches()) {
                last = b.nextOffset();
            }
            offset = last;
        }
        return Arrays.copyOf(starts, count);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        loopback.close();
        devNull.close();
        benchLog.close();
    }

    private Records nextSlice() {
        long offset = sliceOffsets[next];
        next = next + 1 == sliceOffsets.length ? 0 : next + 1;
        return log.read(offset, SLICE_BYTES, Long.MAX_VALUE, true).records();
    }

    @Benchmark
    public Records readSlice(Throughput throughput) {
        Records records = nextSlice();
        throughput.sliceMiB += records.sizeInBytes() / (1024.0 * 1024.0);
        return records;
    }

    @Benchmark
    public ByteBuffer readAndCopy(Throughput throughput) throws IOException {
        FileRecords records = (FileRecords) nextSlice();
        copyBuffer.clear().limit(records.sizeInBytes());
        records.readInto(copyBuffer, 0);
        throughput.sliceMiB += records.sizeInBytes() / (1024.0 * 1024.0);
        return copyBuffer;
    }

    @Benchmark
    public int transferToDevNull(Throughput throughput) throws IOException {
        return transfer((FileRecords) nextSlice(), devNullSink, throughput);
    }

    @Benchmark
    public int transferToLoopbackSocket(Throughput throughput) throws IOException {
        return transfer((FileRecords) nextSlice(), loopbackSink, throughput);
    }

    private static int transfer(FileRecords records, GatheringTransferableChannel sink, Throughput throughput)
            throws IOException {
        int size = records.sizeInBytes();
        int sent = 0;
        while (sent < size) {
            sent += records.writeTo(sink, sent, size - sent);
        }
        throughput.sliceMiB += size / (1024.0 * 1024.0);
        return sent;
    }
}
