package dev.skein.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.testkit.time.ManualTime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each append as leader wakes what is parked on its partition once: everything when it moved the high watermark,
 * otherwise only what waits for the log end (follower fetches); acks=all waits hear of the high watermark only.
 */
class AppendWakeUpTest {
    private static final TopicPartition TP = new TopicPartition("woken", 0);
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<TopicPartition> highWatermarkWakeUps = new ArrayList<>();
    private final List<TopicPartition> logEndWakeUps = new ArrayList<>();
    private LogManager logs;
    private PartitionRegistry registry;

    @BeforeEach
    void open() throws Exception {
        logs = LogManager.open(dir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
        registry = new PartitionRegistry(1, BrokerConfig.from(Map.of()).logDefaults(), logs, time);
        registry.addHighWatermarkListener(highWatermarkWakeUps::add);
        registry.addLogEndListener(logEndWakeUps::add);
    }

    @AfterEach
    void close() {
        logs.close();
        scheduler.shutdownNow();
    }

    private Partition lead(List<Integer> isr) {
        PartitionState state = new PartitionState(0, List.of(1, 2), 1, 0, isr, 0, 1);
        registry.apply(new TopicDescription(TP.topic(), TOPIC_ID, Map.of(0, state), Map.of()));
        highWatermarkWakeUps.clear();
        logEndWakeUps.clear();
        return registry.get(TP).orElseThrow();
    }

    private static MemoryRecords batch() {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1000L, null, new byte[10]));
    }

    @Test
    void appendOfSoleInSyncLeaderWakesOnceForItsHighWatermark() {
        Partition partition = lead(List.of(1));
        partition.appendAsLeader(batch(), (short) -1);
        assertThat(highWatermarkWakeUps).containsExactly(TP);
        assertThat(logEndWakeUps).isEmpty();
    }

    @Test
    void appendAwaitingAFollowerWakesOnlyLogEndWaitersThenTheFollowerFetchWakesTheRest() {
        Partition partition = lead(List.of(1, 2));
        Purgatory produces = new Purgatory(scheduler);
        registry.addHighWatermarkListener(produces::checkAndComplete);
        Partition.LeaderAppend appended = partition.appendAsLeader(batch(), (short) -1);
        CompletableFuture<Errors> ack = new ReplicationWaits(produces)
                .awaitHighWatermark(
                        partition, appended.leaderEpoch(), appended.result().lastOffset() + 1, 60_000);
        partition.appendAsLeader(batch(), (short) -1);
        assertThat(logEndWakeUps).containsExactly(TP, TP);
        assertThat(highWatermarkWakeUps).as("the high watermark did not move").isEmpty();
        assertThat(ack).isNotDone();

        registry.recordFollowerFetch(partition, 2, 2);
        assertThat(highWatermarkWakeUps).containsExactly(TP);
        assertThat(logEndWakeUps).hasSize(2);
        assertThat(ack).isCompletedWithValue(Errors.NONE);
    }
}
