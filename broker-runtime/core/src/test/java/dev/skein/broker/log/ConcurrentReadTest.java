package dev.skein.broker.log;

import static dev.skein.broker.log.LogFixture.batch;
import static dev.skein.broker.log.LogFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentReadTest {
    @TempDir
    Path dataDir;

    @Test
    void readersNeverSeePartialOrMissingBatchesWhileAppendsAndRollsRun() throws Exception {
        int batches = 2_000;
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try (LogFixture fx = new LogFixture(dataDir)) {
            PartitionLog log =
                    fx.manager.getOrCreate(new TopicPartition("race", 0), config(LogConfig.SEGMENT_BYTES, "4000"));
            Future<Long> reader = readers.submit(() -> {
                long next = 0;
                long checked = 0;
                while (next < 2L * batches && !Thread.currentThread().isInterrupted()) {
                    PartitionLog.FetchSlice slice = log.read(next, 2_000, Long.MAX_VALUE, true);
                    for (RecordBatch b : slice.records().batches()) {
                        b.ensureValid();
                        assertThat(b.baseOffset()).isEqualTo(next);
                        next = b.nextOffset();
                        checked++;
                    }
                }
                return checked;
            });
            for (int i = 0; i < batches; i++) {
                log.append(batch(1000 + i, "v" + i, "w" + i), 0);
            }

            assertThat(reader.get(60, TimeUnit.SECONDS)).isEqualTo(batches);
            assertThat(log.numberOfSegments()).isGreaterThan(10);
        } finally {
            readers.shutdownNow();
        }
    }
}
