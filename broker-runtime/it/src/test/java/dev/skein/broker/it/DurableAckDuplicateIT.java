package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.skein.broker.log.LogTestAccess;
import dev.skein.broker.log.PartitionLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 7: in durable-ack mode ({@code skein.durable.ack=true}) a retried idempotent batch — a duplicate of
 * one already appended whose group-commit fsync has not run yet — must not be acknowledged before that fsync: a crash
 * right after such an ack would lose records the producer was told are safe. The test holds the log's flush lock, so
 * the group commit cannot complete, and sends the original and its retry over real sockets.
 */
class DurableAckDuplicateIT {
    private static final String TOPIC = "durable-dup";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dataDir;

    private BrokerHarness harness;
    private Uuid topicId;
    private long producerId;
    private final ExecutorService clients = Executors.newFixedThreadPool(2);

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir, Map.of("skein.durable.ack", "true"));
        harness.createTopic(TOPIC, 1, Map.of());
        topicId = harness.admin()
                .describeTopics(List.of(TOPIC))
                .allTopicNames()
                .get()
                .get(TOPIC)
                .topicId();
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            producerId = RawProduce.initProducerId(raw);
        }
    }

    @AfterEach
    void stop() throws Exception {
        clients.shutdownNow();
        harness.close();
    }

    @Test
    void retriedBatchIsAcknowledgedOnlyAfterTheOriginalIsFsynced() throws Exception {
        PartitionLog log = harness.broker().partitions().get(TP).orElseThrow().log();
        Future<PartitionProduceResponse> original;
        Future<PartitionProduceResponse> retry;
        synchronized (LogTestAccess.flushLock(log)) {
            original = clients.submit(() -> produce("a", "b"));
            // appended, but its fsync is held back by the flush lock this thread holds
            await().atMost(Duration.ofSeconds(30)).until(() -> log.logEndOffset() == 2);
            retry = clients.submit(() -> produce("a", "b"));

            // Without the fix the retry is answered at once as a duplicate; 1 s is ample for that to show.
            assertThatThrownBy(() -> retry.get(1, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(original).isNotDone();
            assertThat(LogTestAccess.durableOffset(log)).isZero();
        }

        PartitionProduceResponse retried = retry.get(30, TimeUnit.SECONDS);
        assertThat(LogTestAccess.durableOffset(log)).isGreaterThanOrEqualTo(2);
        assertThat(Errors.forCode(retried.errorCode())).isEqualTo(Errors.NONE);
        assertThat(retried.baseOffset()).isZero();
        PartitionProduceResponse first = original.get(30, TimeUnit.SECONDS);
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
        assertThat(first.baseOffset()).isZero();
        assertThat(log.logEndOffset()).as("the retry is stored once").isEqualTo(2);
    }

    /** One idempotent acks=all produce of epoch 0, sequence 0, on its own connection. */
    private PartitionProduceResponse produce(String... values) throws Exception {
        return RawProduce.idempotentAcksAll(
                harness.broker().port(), TOPIC, topicId, producerId, (short) 0, 0, 30_000, values);
    }
}
