package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients delete the same topics at once through raw sockets, half of them with {@code timeoutMs} 0: every
 * request is answered promptly, each topic is deleted by exactly one of them (NONE), the others get Kafka's
 * UNKNOWN_TOPIC_OR_PARTITION (already gone) or REQUEST_TIMED_OUT (timeoutMs 0: Kafka 4.4 starts nothing after its
 * deadline) — never a ZooKeeper error passed through as UNKNOWN_SERVER_ERROR, never a wait beyond the timeout.
 */
class DeleteTopicsRaceIT {
    private static final int TOPICS = 12;
    private static final int CLIENTS = 16;
    private static final long SEED = 15_2026L;
    private static final Duration PROMPT = Duration.ofSeconds(8);

    @TempDir
    Path dataDir;

    BrokerHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void concurrentDeletesOfTheSameTopicsAreAnsweredPromptlyWithKafkasCodes() throws Exception {
        for (int round = 0; round < 3; round++) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < TOPICS; i++) {
                names.add("race-" + round + "-" + i);
                harness.createTopic(names.get(i), 1, Map.of());
            }
            List<DeletableTopicResult> results = deleteConcurrently(names, new Random(SEED + round));
            Map<String, Integer> deletedBy = new HashMap<>();
            for (DeletableTopicResult result : results) {
                Errors error = Errors.forCode(result.errorCode());
                assertThat(error)
                        .as("%s: %s", result.name(), result.errorMessage())
                        .isIn(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.REQUEST_TIMED_OUT);
                if (error == Errors.NONE) {
                    deletedBy.merge(result.name(), 1, Integer::sum);
                }
            }
            for (String name : names) {
                assertThat(deletedBy.getOrDefault(name, 0))
                        .as("requests that deleted %s", name)
                        .isEqualTo(1);
                assertThat(harness.broker().metadata().topic(name)).isEmpty();
            }
        }
        assertThat(FuzzConnection.answersApiVersions(harness.broker().port(), 2000))
                .isTrue();
    }

    @Test
    void timeoutZeroDeletesNothingAndAnswersRequestTimedOut() throws Exception {
        harness.createTopic("kept", 1, Map.of());
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            DeleteTopicsResponse response = (DeleteTopicsResponse) raw.send(AbusiveRequests.deleteTopic("kept", 0));
            DeletableTopicResult result = response.data().responses().iterator().next();
            assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.REQUEST_TIMED_OUT);
            assertThat(harness.broker().metadata().topic("kept")).isPresent();
        }
    }

    /** Each client deletes every topic (in its own seeded order) in one request; half use timeoutMs 0. */
    private List<DeletableTopicResult> deleteConcurrently(List<String> names, Random random) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<DeletableTopicResult>>> answers = new ArrayList<>();
            for (int client = 0; client < CLIENTS; client++) {
                List<String> order = new ArrayList<>(names);
                Collections.shuffle(order, random);
                int timeoutMs = client % 2 == 0 ? 0 : 30_000;
                RawConnection raw = new RawConnection(harness.broker().port());
                answers.add(pool.submit(() -> {
                    try (raw) {
                        go.await();
                        long started = System.nanoTime();
                        DeleteTopicsResponse response = (DeleteTopicsResponse)
                                raw.send(new org.apache.kafka.common.requests.DeleteTopicsRequest.Builder(
                                                new org.apache.kafka.common.message.DeleteTopicsRequestData()
                                                        .setTopicNames(order)
                                                        .setTimeoutMs(timeoutMs))
                                        .build((short) 5));
                        assertThat(Duration.ofNanos(System.nanoTime() - started))
                                .as("answer time of a DeleteTopics with timeoutMs %d", timeoutMs)
                                .isLessThan(PROMPT);
                        return new ArrayList<>(response.data().responses());
                    }
                }));
            }
            go.countDown();
            List<DeletableTopicResult> all = new ArrayList<>();
            for (Future<List<DeletableTopicResult>> answer : answers) {
                all.addAll(answer.get(60, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }
}
