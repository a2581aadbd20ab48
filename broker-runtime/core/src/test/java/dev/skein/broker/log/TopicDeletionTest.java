package dev.skein.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting a topic deletes all its partition logs with one commit of the broker state store: a commit syncs the
 * state file, and one per partition made a DeleteTopics of a topic with thousands of partitions take minutes on a
 * busy disk (the fuzzer's connection waited past its bound). The state of the deleted partitions is gone after a
 * restart, and the other topics' state is kept.
 */
class TopicDeletionTest {
    private static final int PARTITIONS = 200;

    @TempDir
    Path dir;

    @Test
    void aTopicsLogsAreDeletedInOneStateCommit() throws Exception {
        try (LogFixture fx = new LogFixture(dir)) {
            List<TopicPartition> doomed = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition("doomed", p);
                fx.manager.getOrCreate(tp, LogFixture.config());
                doomed.add(tp);
            }
            TopicPartition kept = new TopicPartition("kept", 0);
            PartitionLog keptLog = fx.manager.getOrCreate(kept, LogFixture.config());
            keptLog.append(LogFixture.batch(0L, "a", "b"), 0);
            fx.manager.checkpoint();
            long before = fx.manager.stateStore().commitCount();

            fx.manager.delete(doomed);

            assertThat(fx.manager.stateStore().commitCount() - before).isEqualTo(1);
            for (TopicPartition tp : doomed) {
                assertThat(fx.manager.get(tp)).isEmpty();
                assertThat(Files.exists(dir.resolve(tp.toString()))).isFalse();
            }
            LogManager reopened = fx.reopen();
            assertThat(reopened.get(new TopicPartition("doomed", 0))).isEmpty();
            assertThat(reopened.get(kept))
                    .hasValueSatisfying(log -> assertThat(log.logEndOffset()).isEqualTo(2));
        }
    }
}
