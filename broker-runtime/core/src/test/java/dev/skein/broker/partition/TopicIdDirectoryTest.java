package dev.skein.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.testkit.time.ManualTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A topic deleted and re-created while this broker was down does not inherit the old topic's log. */
class TopicIdDirectoryTest {
    private static final TopicPartition TP = new TopicPartition("recreated", 0);

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private LogManager logs;

    @AfterEach
    void close() {
        logs.close();
        scheduler.shutdownNow();
    }

    private PartitionRegistry start() throws Exception {
        logs = LogManager.open(dir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
        return new PartitionRegistry(1, BrokerConfig.from(Map.of()).logDefaults(), logs, time);
    }

    private static TopicDescription topic(Uuid id) {
        PartitionState state = new PartitionState(0, List.of(1), 1, 0, List.of(1), 0, 1);
        return new TopicDescription(TP.topic(), id, Map.of(0, state), Map.of());
    }

    @Test
    void logOfAnEarlierTopicWithTheSameNameIsDiscarded() throws Exception {
        Uuid oldId = Uuid.randomUuid();
        PartitionRegistry registry = start();
        registry.loadAll(List.of(topic(oldId)));
        registry.get(TP)
                .orElseThrow()
                .appendAsLeader(
                        MemoryRecords.withRecords(
                                Compression.NONE, new SimpleRecord("old".getBytes(StandardCharsets.UTF_8))),
                        (short) 1);
        logs.close();

        // Restarted after the topic was deleted and created again under the same name (a new id).
        Uuid newId = Uuid.randomUuid();
        registry = start();
        registry.loadAll(List.of(topic(newId)));

        Partition partition = registry.get(TP).orElseThrow();
        assertThat(partition.topicId()).isEqualTo(newId);
        assertThat(partition.log().logEndOffset())
                .as("nothing of the old topic")
                .isZero();
    }

    @Test
    void logOfTheSameTopicIsKeptAcrossRestarts() throws Exception {
        Uuid id = Uuid.randomUuid();
        PartitionRegistry registry = start();
        registry.loadAll(List.of(topic(id)));
        registry.get(TP)
                .orElseThrow()
                .appendAsLeader(
                        MemoryRecords.withRecords(
                                Compression.NONE, new SimpleRecord("kept".getBytes(StandardCharsets.UTF_8))),
                        (short) 1);
        logs.close();

        registry = start();
        registry.loadAll(List.of(topic(id)));

        assertThat(registry.get(TP).orElseThrow().log().logEndOffset()).isEqualTo(1);
    }
}
