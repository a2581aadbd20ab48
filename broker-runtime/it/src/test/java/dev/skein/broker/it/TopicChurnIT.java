package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients creating and deleting the same topics at once (the fuzzer found this): a CreateTopics whose topic another
 * client deletes before the broker's metadata cache has shown it must still be answered at once, not after the
 * broker's fallback wait of a ZooKeeper session timeout. Each call gets half that timeout; a wait for a topic that no
 * longer exists takes the whole of it.
 */
class TopicChurnIT {
    private static final int SESSION_TIMEOUT_MS = 20_000;
    private static final int ROUNDS = 120;
    private static final List<String> TOPICS = List.of("churn-a", "churn-b");

    @TempDir
    Path dataDir;

    @Test
    void createsAndDeletesOfOneTopicFromManyClientsAreAllAnswered() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(
                        dataDir, Map.of("zookeeper.session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MS)));
                Admin creator1 = admin(harness);
                Admin creator2 = admin(harness);
                Admin deleter1 = admin(harness);
                Admin deleter2 = admin(harness)) {
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> workers = new ArrayList<>();
                for (Admin creator : List.of(creator1, creator2)) {
                    workers.add(threads.submit(churn(round -> creator.createTopics(
                                    List.of(new NewTopic(TOPICS.get(round % 2), 1 + round % 3, (short) 1)))
                            .all())));
                }
                for (Admin deleter : List.of(deleter1, deleter2)) {
                    workers.add(threads.submit(churn(round ->
                            deleter.deleteTopics(List.of(TOPICS.get(round % 2))).all())));
                }
                int answered = 0;
                for (Future<Integer> worker : workers) {
                    answered += worker.get();
                }
                assertThat(answered).isEqualTo(4 * ROUNDS);
            } finally {
                threads.shutdownNow();
            }
            // The broker still creates and serves the topics afterwards.
            for (String topic : TOPICS) {
                creator1.deleteTopics(List.of(topic))
                        .all()
                        .toCompletionStage()
                        .exceptionally(e -> null)
                        .toCompletableFuture()
                        .get();
            }
            creator1.createTopics(List.of(new NewTopic("churn-a", 2, (short) 1)))
                    .all()
                    .get();
            assertThat(creator1.describeTopics(List.of("churn-a"))
                            .allTopicNames()
                            .get()
                            .get("churn-a")
                            .partitions())
                    .hasSize(2);
        }
    }

    private interface Call {
        org.apache.kafka.common.KafkaFuture<Void> start(int round);
    }

    /** Runs {@link #ROUNDS} calls; each must be answered (success or the expected race error) in half a session. */
    private static Callable<Integer> churn(Call call) {
        return () -> {
            int answered = 0;
            for (int round = 0; round < ROUNDS; round++) {
                try {
                    call.start(round).get(SESSION_TIMEOUT_MS / 2, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause())
                            .isInstanceOfAny(TopicExistsException.class, UnknownTopicOrPartitionException.class);
                } catch (TimeoutException e) {
                    throw new AssertionError(
                            "round " + round + ": no answer within " + SESSION_TIMEOUT_MS / 2
                                    + " ms (the broker waits for a topic that is gone); broker threads:\n"
                                    + brokerThreads(),
                            e);
                }
                answered++;
            }
            return answered;
        };
    }

    /** The in-JVM broker's threads with their stacks, to show where a request waits. */
    private static String brokerThreads() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("skein-")) {
                out.append(thread.getName())
                        .append(' ')
                        .append(thread.getState())
                        .append('\n');
                for (StackTraceElement frame : stack) {
                    out.append("    at ").append(frame).append('\n');
                }
            }
        });
        return out.toString();
    }

    private static Admin admin(BrokerHarness harness) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                harness.bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                60_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                60_000));
    }
}
