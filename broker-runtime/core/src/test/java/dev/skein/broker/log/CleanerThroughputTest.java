package dev.skein.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compaction throughput on a generated 1 GiB log of 10,000 keys (1 KiB values, 100 records per batch). Prints the
 * figure; asserts only on the outcome, never on the time. Run with {@code -Pslow}.
 */
@Tag("slow")
class CleanerThroughputTest {
    private static final long LOG_BYTES = 1L << 30;
    private static final int KEYS = 10_000;

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(strings = {"none", "lz4"})
    void compactsAOneGibLogOfTenThousandKeys(String codec) throws Exception {
        LogConfig cfg = LogConfig.of(
                Map.of(),
                Map.of(
                        LogConfig.CLEANUP_POLICY, "compact",
                        LogConfig.SEGMENT_BYTES, String.valueOf(64 << 20),
                        LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.01",
                        LogConfig.FILE_DELETE_DELAY_MS, "0"));
        Compression compression = Compression.of(CompressionType.forName(codec)).build();
        SplittableRandom random = new SplittableRandom(42);
        try (LogFixture fx = new LogFixture(dataDir)) {
            PartitionLog log = fx.manager.getOrCreate(new TopicPartition("throughput-" + codec, 0), cfg);
            byte[] value = new byte[1024];
            while (log.sizeInBytes() < LOG_BYTES) {
                SimpleRecord[] batch = new SimpleRecord[100];
                for (int i = 0; i < batch.length; i++) {
                    random.nextBytes(value);
                    byte[] key = String.format("key-%05d", random.nextInt(KEYS)).getBytes(StandardCharsets.UTF_8);
                    batch[i] = new SimpleRecord(fx.time.milliseconds(), key, value.clone());
                }
                log.append(MemoryRecords.withRecords(compression, batch), 0);
            }
            log.updateHighWatermark(log.logEndOffset());
            List<LogSegment> segments = log.segments();
            long cleanable = 0;
            for (LogSegment s : segments.subList(0, segments.size() - 1)) {
                cleanable += s.sizeInBytes();
            }

            long started = System.nanoTime();
            LogCleaner.CleanResult result = fx.manager.cleaner().cleanDirtiest().orElseThrow();
            double seconds = (System.nanoTime() - started) / 1e9;

            System.out.printf(
                    "Compaction (%s): %.0f MiB cleanable in %.2f s = %.1f MiB/s; %d -> %d bytes, %d keys%n",
                    codec,
                    cleanable / 1048576.0,
                    seconds,
                    cleanable / 1048576.0 / seconds,
                    result.bytesBefore(),
                    result.bytesAfter(),
                    result.keys());
            assertThat(result.keys()).isEqualTo(KEYS);
            assertThat(result.bytesAfter()).isLessThan(result.bytesBefore() / 4);
        }
    }
}
