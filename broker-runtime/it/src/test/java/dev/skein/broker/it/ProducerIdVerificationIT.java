package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.broker.Broker;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A produce names a producer id that the broker checks against the cluster's claimed producer id blocks without
 * waiting for ZooKeeper on the request thread: while ZooKeeper is unreachable an id outside the known blocks is
 * refused (never let through, as the ZooKeeper read that failed used to do) and a flood of such ids is answered at
 * once instead of queueing behind one lock for a ZooKeeper timeout each; a block another broker claimed is seen
 * through the watch.
 */
class ProducerIdVerificationIT {
    private static final int FLOOD = 24;

    @TempDir
    Path dir;

    @Test
    void zooKeeperOutageLetsNoUnallocatedProducerIdThroughAndQueuesNoRequest() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 1, Map.of())) {
            TopicPartition tp = new TopicPartition("pids", 0);
            cluster.createTopic(tp.topic(), 1, 1, Map.of());
            cluster.awaitLeader(tp);
            Broker broker = cluster.broker(1);
            try (RawConnection raw = new RawConnection(broker.port())) {
                long producerId = RawProduce.initProducerId(raw);
                PartitionProduceResponse first = RawProduce.produce(raw, tp.topic(), batch(producerId, 0, "a"));
                assertThat(RawProduce.error(first)).isEqualTo(Errors.NONE);

                cluster.stopZooKeeper();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !broker.partitions().metadataSessionLive());
                for (PartitionProduceResponse response : flood(broker.port(), tp.topic(), producerId)) {
                    assertThat(RawProduce.error(response))
                            .as(response.errorMessage())
                            .isIn(Errors.NOT_ENOUGH_REPLICAS, Errors.UNKNOWN_PRODUCER_ID);
                }

                // The producer id handed out before the outage keeps working, and nothing was appended in between.
                PartitionProduceResponse second = RawProduce.produce(raw, tp.topic(), batch(producerId, 1, "b"));
                assertThat(RawProduce.error(second)).isEqualTo(Errors.NONE);
                assertThat(second.baseOffset()).isEqualTo(first.baseOffset() + 1);
            }
            cluster.restartZooKeeper();
        }
    }

    @Test
    void producerIdFromAnotherBrokersNewBlockIsAcceptedAndAGuessedOneIsNot() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 2, Map.of())) {
            TopicPartition tp = new TopicPartition("pids-two", 0);
            cluster.createTopic(tp.topic(), 1, 1, Map.of());
            int leader = cluster.awaitLeader(tp);
            int other = leader == 1 ? 2 : 1;
            long leaderId;
            try (RawConnection raw = new RawConnection(cluster.broker(leader).port())) {
                leaderId = RawProduce.initProducerId(raw);
            }
            long otherId;
            try (RawConnection raw = new RawConnection(cluster.broker(other).port())) {
                otherId = RawProduce.initProducerId(raw);
            }
            assertThat(otherId).as("a block the leader did not claim").isGreaterThan(leaderId);
            try (RawConnection raw = new RawConnection(cluster.broker(leader).port())) {
                // Retriable until the leader's watch has seen the other broker's block: then accepted.
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    Errors error = RawProduce.error(RawProduce.produce(raw, tp.topic(), batch(otherId, 0, "o")));
                    assertThat(error).isIn(Errors.NONE, Errors.NOT_ENOUGH_REPLICAS);
                    return error == Errors.NONE;
                });
                assertThat(RawProduce.error(RawProduce.produce(raw, tp.topic(), batch(otherId + 5_000_000, 0, "g"))))
                        .isEqualTo(Errors.UNKNOWN_PRODUCER_ID);
            }
        }
    }

    /** {@value #FLOOD} concurrent produces, one per connection, each naming an id no InitProducerId handed out. */
    private static List<PartitionProduceResponse> flood(int port, String topic, long producerId) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(FLOOD);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<PartitionProduceResponse>> answers = new ArrayList<>();
            for (int i = 0; i < FLOOD; i++) {
                // next block (may be claimed any moment) and far beyond any claim
                long unallocated = i % 2 == 0 ? producerId + 1_000 + i : producerId + 50_000_000L + i;
                answers.add(pool.submit(() -> {
                    try (RawConnection raw = new RawConnection(port)) {
                        go.await();
                        long started = System.nanoTime();
                        PartitionProduceResponse response = RawProduce.produce(raw, topic, batch(unallocated, 0, "x"));
                        assertThat(Duration.ofNanos(System.nanoTime() - started))
                                .as("answer time for producer id %d", unallocated)
                                .isLessThan(Duration.ofSeconds(3));
                        return response;
                    }
                }));
            }
            go.countDown();
            List<PartitionProduceResponse> responses = new ArrayList<>();
            for (Future<PartitionProduceResponse> answer : answers) {
                responses.add(answer.get(60, TimeUnit.SECONDS));
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }

    private static ByteBuffer batch(long producerId, int sequence, String value) {
        return RawProduce.copy(MemoryRecords.withIdempotentRecords(
                Compression.NONE, producerId, (short) 0, sequence, AbusiveRequests.record(value)));
    }
}
