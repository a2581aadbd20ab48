package dev.skein.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed fsync takes the log offline instead of letting it go on as if the data were on disk. */
class FsyncFailureTest {
    private static final TopicPartition TP = new TopicPartition("failing-disk", 0);

    @TempDir
    Path dataDir;

    @Test
    void logRefusesReadsAndAppendsAfterAFailedFsync() throws Exception {
        try (LogFixture fx = new LogFixture(dataDir)) {
            PartitionLog log = fx.manager.getOrCreate(TP, LogFixture.config());
            log.append(LogFixture.batch(1000, "a", "b"), 0);
            // The segment's file can no longer be synced (as after an I/O error of the device).
            log.segments().get(0).close();

            assertThatThrownBy(log::flush).isInstanceOf(KafkaStorageException.class);

            assertThat(log.isOffline()).isTrue();
            assertThatThrownBy(() -> log.read(0, 1 << 20, Long.MAX_VALUE, true))
                    .as("records that may not be on disk are not served")
                    .isInstanceOf(KafkaStorageException.class);
            assertThatThrownBy(() -> log.append(LogFixture.batch(1000, "c"), 0))
                    .isInstanceOf(KafkaStorageException.class);
            assertThat(log.awaitDurable(1))
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(KafkaStorageException.class);
        }
    }
}
