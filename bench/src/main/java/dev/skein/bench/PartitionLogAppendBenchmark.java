package dev.skein.bench;

import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Leader append of one produce request: a pre-built 64 KiB batch (64 records of 1 KiB), uncompressed or lz4, into
 * a {@link PartitionLog} on the local file system (page cache; no fsync, as with {@code flush.messages} unset).
 *
 * <p>The primary score is batches per second. The auxiliary counters report records per second ({@code records})
 * and record-value MiB per second ({@code payloadMiB}); for lz4 the bytes written to the file are fewer than that.
 * Each invocation appends a fresh {@link ByteBuffer#duplicate()} of the batch: the append rewrites the batch's base
 * offset and leader epoch in place, which is harmless to reuse because neither is covered by the CRC. Between
 * iterations retention drops all but the newest 128 MiB, so a run needs little disk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PartitionLogAppendBenchmark extends JmhDefaults {
    static final int RECORDS_PER_BATCH = 64;
    static final int RECORD_SIZE = 1024;

    @Param({"none", "lz4"})
    public String compression;

    private BenchLog benchLog;
    private PartitionLog log;
    private ByteBuffer batch;

    /** Per-iteration counters that JMH turns into rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Throughput {
        public long records;
        public double payloadMiB;

        @Setup(Level.Iteration)
        public void reset() {
            records = 0;
            payloadMiB = 0;
        }
    }

    @Setup(Level.Trial)
    public void openLog() throws IOException {
        benchLog = BenchLog.open(Map.of(
                LogConfig.SEGMENT_BYTES, Integer.toString(64 * 1024 * 1024),
                LogConfig.RETENTION_BYTES, Long.toString(128L * 1024 * 1024)));
        log = benchLog.log();
        Compression codec = "lz4".equals(compression) ? Compression.lz4().build() : Compression.NONE;
        batch = RecordBatches.batch(RecordBatches.textValues(RECORDS_PER_BATCH, RECORD_SIZE, 42L), codec);
    }

    @TearDown(Level.Iteration)
    public void applyRetention() {
        benchLog.dropOldSegments();
    }

    @TearDown(Level.Trial)
    public void closeLog() throws IOException {
        benchLog.close();
    }

    @Benchmark
    public PartitionLog.AppendResult append(Throughput throughput) {
        PartitionLog.AppendResult result = log.append(MemoryRecords.readableRecords(batch.duplicate()), 0);
        throughput.records += RECORDS_PER_BATCH;
        throughput.payloadMiB += RECORDS_PER_BATCH * RECORD_SIZE / (1024.0 * 1024.0);
        return result;
    }
}
