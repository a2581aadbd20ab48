package dev.skein.bench;

import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.Microbenchmarks;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The CPU price of validating one producer batch as a client's ({@link Microbenchmarks#validateClientBatch}: header,
 * CRC, and the streaming record scan, which for a compressed batch decompresses it into a fixed chunk). The batch is
 * what the side-by-side producer sends: 64 records of 1 KiB, half random and half zero bytes (lz4 gets ~2 : 1).
 * Score: batches per second; multiply by the batch's wire size (printed at setup) for bytes per second, whose inverse
 * is CPU seconds per byte.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProduceValidationBenchmark extends JmhDefaults {
    private static final int RECORDS = 64;
    private static final int VALUE_BYTES = 1024;

    @Param({"none", "lz4"})
    public String codec;

    private MemoryRecords records;
    private LogConfig config;
    private long now;

    @Setup
    public void build() {
        now = System.currentTimeMillis();
        Compression compression = codec.equals("lz4") ? Compression.lz4().build() : Compression.NONE;
        records = MemoryRecords.readableRecords(
                RecordBatches.batch(RecordBatches.halfRandomValues(RECORDS, VALUE_BYTES, 42), compression));
        config = LogConfig.defaults();
        System.out.println("batch wire size: " + records.sizeInBytes() + " bytes (" + codec + ")");
    }

    @Benchmark
    public MutableRecordBatch validate() {
        return Microbenchmarks.validateClientBatch(records, config, now);
    }
}
