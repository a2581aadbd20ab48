package dev.skein.broker.log;

import static dev.skein.broker.log.LogFixture.batch;
import static dev.skein.broker.log.LogFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 11: a segment roll creates a file whose directory entry survives a power loss only once the partition
 * directory is fsynced, so a roll must fsync the directory before anything acknowledged in the new segment can be; a
 * new partition directory likewise needs an fsync of the data directory (and of its own, for its first segment).
 */
class SegmentRollDirectorySyncTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path dataDir;

    private LogFixture fx;
    private final List<Path> synced = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        fx = new LogFixture(dataDir);
        DirectorySync.syncedForTests = synced::add;
    }

    @AfterEach
    void tearDown() {
        DirectorySync.syncedForTests = dir -> {};
        fx.close();
    }

    @Test
    void rollFsyncsThePartitionDirectoryOncePerNewSegment() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, config(LogConfig.SEGMENT_BYTES, "200"));
        Path dir = log.dir();
        log.append(batch(1000, "value-0", "more-0"), 0);
        assertThat(log.numberOfSegments()).isEqualTo(1);
        synced.clear();

        for (int i = 1; i < 10; i++) {
            log.append(batch(1000 + i, "value-" + i, "more-" + i), 0);
        }

        int rolls = log.numberOfSegments() - 1;
        assertThat(rolls).isGreaterThan(1);
        assertThat(synced.stream().filter(dir::equals).count())
                .as("directory fsyncs of %s after %d rolls", dir, rolls)
                .isEqualTo(rolls);
    }

    @Test
    void creatingAPartitionFsyncsTheDataDirectoryAndItsOwn() throws IOException {
        synced.clear();

        PartitionLog log = fx.manager.getOrCreate(TP, LogConfig.defaults());

        assertThat(synced).contains(dataDir.toAbsolutePath(), log.dir());
    }

    @Test
    void noDirectoryFsyncWithoutARoll() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, config(LogConfig.SEGMENT_BYTES, "1048576"));
        synced.clear();

        for (int i = 0; i < 10; i++) {
            log.append(batch(1000 + i, "value-" + i), 0);
        }

        assertThat(log.numberOfSegments()).isEqualTo(1);
        assertThat(synced).doesNotContain(log.dir());
    }
}
