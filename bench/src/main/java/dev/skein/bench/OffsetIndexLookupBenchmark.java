package dev.skein.bench;

import dev.skein.broker.log.Microbenchmarks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The offset index's lookup ({@link Microbenchmarks.Index#lookup}: binary search of the memory-mapped index for the last entry at or before an offset)
 * in an index of {@code entries} entries, one per 64-record batch, at offsets drawn at random (a fixed sequence of
 * 4096 targets, cycled). 1,310,720 entries is a full default-size index ({@code segment.index.bytes} = 10 MiB).
 * Score: nanoseconds per lookup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class OffsetIndexLookupBenchmark extends JmhDefaults {
    private static final int MAX_INDEX_BYTES = 10 * 1024 * 1024;
    private static final int RECORDS_PER_ENTRY = 64;

    @Param({"1024", "1310720"})
    public int entries;

    private Path file;
    private Microbenchmarks.Index index;
    private long[] targets;
    private int next;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        file = Files.createTempFile("skein-index-bench", ".index");
        Files.delete(file);
        index = Microbenchmarks.openOffsetIndex(file, 0, MAX_INDEX_BYTES);
        for (int i = 0; i < entries; i++) {
            index.append((long) i * RECORDS_PER_ENTRY + RECORDS_PER_ENTRY - 1, i * 66_000);
        }
        Random random = new Random(7);
        targets = new long[4096];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = (long) (random.nextDouble() * entries * RECORDS_PER_ENTRY);
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        index.close();
        Files.deleteIfExists(file);
    }

    @Benchmark
    public int lookup() {
        long target = targets[next];
        next = (next + 1) & (targets.length - 1);
        return index.lookup(target);
    }
}
