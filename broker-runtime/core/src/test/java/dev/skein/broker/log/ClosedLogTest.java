package dev.skein.broker.log;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log closed under a request that still holds it (a topic deleted while a Produce for it is in flight, found by the
 * fuzzer) refuses the append; before, the append rolled the segment and wrote the time index through its unmapped
 * memory, and the JVM died with SIGSEGV in {@code TimeIndex.maybeAppend}.
 */
class ClosedLogTest {
    private static final TopicPartition TP = new TopicPartition("deleted", 0);

    @TempDir
    Path dataDir;

    private LogFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new LogFixture(dataDir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void appendToAClosedLogIsRefusedInsteadOfWritingUnmappedIndexes() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, LogFixture.config(LogConfig.SEGMENT_MS, "10"));
        log.append(LogFixture.batch(1000, "a"), 0);
        log.append(LogFixture.batch(2000, "b"), 0);
        log.close();
        fx.time.sleep(100); // the next append would roll the segment, writing its time index

        assertThatThrownBy(() -> log.append(LogFixture.batch(3000, "c"), 0))
                .isInstanceOf(NotLeaderOrFollowerException.class);
        assertThatThrownBy(() -> log.appendAsFollower(LogFixture.batch(3000, "d")))
                .isInstanceOf(NotLeaderOrFollowerException.class);
    }
}
