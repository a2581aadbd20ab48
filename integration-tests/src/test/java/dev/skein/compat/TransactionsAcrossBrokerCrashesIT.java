package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified transactional clients on a 3-broker cluster whose brokers are killed with SIGKILL under them
 * ({@link BrokerProcessCluster}: RF 3, min ISR 2, {@code __transaction_state} RF 3):
 *
 * <ul>
 *   <li>a Kafka Streams {@code exactly_once_v2} word count ({@link EosWordCountApp}) while the broker coordinating its
 *       transactional id (found with Admin {@code describeTransactions}) is killed and restarted, then the leader of
 *       an output partition: the {@code read_committed} counts are exactly 1..n per word;
 *   <li>a kafkajs 2.2.4 transaction loop ({@code src/test/js/txn-loop.js}) whose coordinator broker is killed
 *       mid-run and restarted: every committed transaction is visible exactly once, no aborted one at all, and a
 *       transaction whose outcome the client could not learn is visible whole or not at all.
 * </ul>
 *
 * <p>Slow profile: each test starts three broker JVMs (the Streams one a fourth), about 1.5 minutes each.
 */
@Tag("slow")
class TransactionsAcrossBrokerCrashesIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void streamsExactlyOnceV2SurvivesCoordinatorAndLeaderCrashes() throws Exception {
        String app = "eos-crash-wordcount";
        String input = "crash-lines";
        String output = "crash-counts";
        List<String> lines = lines(3_000);
        Map<String, Long> expected = counts(lines);
        long total = expected.values().stream().mapToLong(Long::longValue).sum();
        Map<String, List<Long>> seen = new HashMap<>();
        try (BrokerProcessCluster cluster = BrokerProcessCluster.start(dir, 3)) {
            cluster.createTopic(input, 3);
            cluster.createTopic(output, 3);
            AtomicReference<Exception> feedError = new AtomicReference<>();
            Thread feeder = new Thread(() -> feed(cluster.bootstrap(), input, lines, feedError), "crash-feeder");
            feeder.start();
            try (ExternalProcess streams = ExternalProcess.start(
                            dir,
                            "streams",
                            KafkaTool.command(
                                    EosWordCountApp.class.getName(),
                                    List.of(
                                            cluster.bootstrap(),
                                            dir.resolve("state").toString(),
                                            app,
                                            input,
                                            output,
                                            "3")));
                    KafkaConsumer<String, Long> reader = reader(cluster.bootstrap(), output, new LongDeserializer())) {
                Supplier<Long> progress = () -> {
                    reader.poll(Duration.ofMillis(100))
                            .forEach(r -> seen.computeIfAbsent(r.key(), k -> new ArrayList<>())
                                    .add(r.value()));
                    return seen.values().stream().mapToLong(List::size).sum();
                };
                awaitProgress("first counts", progress, total / 10, streams);

                int coordinator = coordinatorOf(cluster, app);
                cluster.kill(coordinator);
                System.out.printf(
                        "EOS across crashes: killed coordinator broker %d at %d counts%n", coordinator, count(seen));
                awaitProgress("counts after the coordinator crash", progress, count(seen) + total / 10, streams);
                cluster.startBroker(coordinator);
                cluster.awaitFullIsr(output);

                int leader = cluster.leader(new TopicPartition(output, 0));
                cluster.kill(leader);
                System.out.printf("EOS across crashes: killed leader broker %d at %d counts%n", leader, count(seen));
                awaitProgress("counts after the leader crash", progress, count(seen) + total / 10, streams);
                cluster.startBroker(leader);

                awaitProgress("all counts", progress, total, streams);
                feeder.join(WAIT.toMillis());
                assertThat(feedError.get()).as("input feeder").isNull();
                progress.get();
            } finally {
                feeder.join(WAIT.toMillis());
            }
        }
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            assertThat(seen.get(e.getKey()))
                    .as("counts of %s", e.getKey())
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, e.getValue()).boxed().toList());
        }
        assertThat(seen.keySet()).isEqualTo(expected.keySet());
    }

    @Test
    void kafkajsTransactionsSurviveACoordinatorCrash() throws Exception {
        Path js = Path.of(System.getProperty("skein.compat.js.dir", "src/test/js"));
        Assumptions.assumeTrue(Kcat.onPath("node"), "node is not on PATH");
        Assumptions.assumeTrue(
                Files.isDirectory(js.resolve("node_modules/kafkajs")),
                "kafkajs not installed: run `npm ci` in " + js + " (.ci/run does)");
        String topic = "js-crash-out";
        int transactions = 150;
        try (BrokerProcessCluster cluster = BrokerProcessCluster.start(dir, 3)) {
            cluster.createTopic(topic, 3);
            ExternalProcess.ProcessResult loop;
            try (ExternalProcess node = ExternalProcess.start(
                    dir,
                    "kafkajs-loop",
                    List.of(
                            "node",
                            js.resolve("txn-loop.js").toString(),
                            cluster.bootstrap(),
                            topic,
                            Integer.toString(transactions),
                            "50"))) {
                Awaitility.await("30 committed transactions")
                        .atMost(WAIT)
                        .until(() -> outcomes(node.stdout(), "COMMITTED").size() >= 30 || !node.alive());
                int coordinator = coordinatorOf(cluster, "js-loop");
                int before = outcomes(node.stdout(), "COMMITTED").size();
                cluster.kill(coordinator);
                System.out.printf(
                        "kafkajs across crashes: killed coordinator broker %d after %d commits%n", coordinator, before);
                Awaitility.await("30 more committed transactions")
                        .atMost(WAIT)
                        .until(() -> outcomes(node.stdout(), "COMMITTED").size() >= before + 30 || !node.alive());
                cluster.startBroker(coordinator);
                loop = node.awaitExit(WAIT);
            }
            System.out.println("kafkajs loop stderr (tail): "
                    + loop.stderr().substring(Math.max(0, loop.stderr().length() - 3000)));
            assertThat(loop.exitCode()).as(loop.stderr()).isZero();
            assertThat(loop.stdout()).contains("DONE");
            List<Integer> committed = outcomes(loop.stdout(), "COMMITTED");
            List<Integer> aborted = outcomes(loop.stdout(), "ABORTED");
            List<Integer> unknown = outcomes(loop.stdout(), "UNKNOWN");
            System.out.printf(
                    "kafkajs across crashes: %d committed, %d aborted, %d unknown %s%n",
                    committed.size(), aborted.size(), unknown.size(), unknown);
            assertThat(committed.size()).isGreaterThan(transactions / 2);

            Map<Integer, List<String>> visible = new HashMap<>();
            try (KafkaConsumer<String, String> reader = reader(cluster.bootstrap(), topic, new StringDeserializer())) {
                Map<TopicPartition, Long> end = reader.endOffsets(reader.assignment());
                Awaitility.await("read_committed to the last stable offset")
                        .atMost(WAIT)
                        .pollInSameThread()
                        .until(() -> {
                            reader.poll(Duration.ofMillis(100)).forEach(r -> visible.computeIfAbsent(
                                            Integer.parseInt(r.value().split("-")[0]), k -> new ArrayList<>())
                                    .add(r.value()));
                            return end.entrySet().stream().allMatch(e -> reader.position(e.getKey()) >= e.getValue());
                        });
            }
            for (int i : committed) {
                assertThat(visible.get(i))
                        .as("committed transaction %d", i)
                        .containsExactlyInAnyOrder(i + "-0", i + "-1", i + "-2");
            }
            for (int i : aborted) {
                assertThat(visible).as("aborted transaction %d", i).doesNotContainKey(i);
            }
            for (int i : unknown) {
                if (visible.containsKey(i)) {
                    assertThat(i % 5)
                            .as("transaction %d was never to commit", i)
                            .isNotEqualTo(4);
                    assertThat(visible.get(i))
                            .as("transaction %d of unknown outcome", i)
                            .containsExactlyInAnyOrder(i + "-0", i + "-1", i + "-2");
                }
            }
            assertThat(Set.copyOf(committed))
                    .containsAll(visible.keySet().stream()
                            .filter(i -> !unknown.contains(i))
                            .toList());
        }
    }

    /** The broker coordinating the transactional id starting with {@code prefix}, once it has one. */
    private static int coordinatorOf(BrokerProcessCluster cluster, String prefix) {
        return Awaitility.await("coordinator of " + prefix)
                .atMost(WAIT)
                .ignoreExceptions()
                .until(
                        () -> {
                            try (Admin admin = cluster.admin()) {
                                List<String> ids = admin.listTransactions().all().get().stream()
                                        .map(TransactionListing::transactionalId)
                                        .filter(id -> id.startsWith(prefix))
                                        .toList();
                                if (ids.size() != 1) {
                                    return -1;
                                }
                                return admin.describeTransactions(ids)
                                        .all()
                                        .get()
                                        .get(ids.get(0))
                                        .coordinatorId();
                            }
                        },
                        id -> id >= 0);
    }

    private static void awaitProgress(String what, Supplier<Long> progress, long target, ExternalProcess app) {
        Awaitility.await(what)
                .atMost(WAIT)
                .pollInSameThread()
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    assertThat(app.alive())
                            .as("Streams app alive; stderr: %s", app.stderr())
                            .isTrue();
                    return progress.get() >= target;
                });
    }

    private static long count(Map<String, List<Long>> seen) {
        return seen.values().stream().mapToLong(List::size).sum();
    }

    private static List<Integer> outcomes(String stdout, String kind) {
        return stdout.lines()
                .filter(line -> line.startsWith(kind + " "))
                .map(line -> Integer.parseInt(line.split(" ")[1]))
                .toList();
    }

    private static <V> KafkaConsumer<String, V> reader(String bootstrap, String topic, Deserializer<V> values) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values);
        consumer.assign(IntStream.range(0, 3)
                .mapToObj(p -> new TopicPartition(topic, p))
                .toList());
        return consumer;
    }

    /** Writes the lines with an idempotent acks=all producer, 25 every 250 ms; a failed send is kept in {@code error}. */
    private static void feed(String bootstrap, String topic, List<String> lines, AtomicReference<Exception> error) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < lines.size(); i++) {
                producer.send(new ProducerRecord<>(topic, "line-" + i, lines.get(i)), (metadata, e) -> {
                    if (e != null) {
                        error.compareAndSet(null, e);
                    }
                });
                if (i % 25 == 24) {
                    producer.flush();
                    Thread.sleep(250);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            error.compareAndSet(null, e);
        }
    }

    /** Seeded random lines of 1 to 6 words out of 50. */
    private static List<String> lines(int count) {
        Random random = new Random(1818);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder line = new StringBuilder();
            int words = 1 + random.nextInt(6);
            for (int w = 0; w < words; w++) {
                line.append(w == 0 ? "" : " ").append("W").append(random.nextInt(50));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static Map<String, Long> counts(List<String> lines) {
        Map<String, Long> counts = new HashMap<>();
        for (String line : lines) {
            for (String word : line.toLowerCase(Locale.ROOT).split("\\s+")) {
                counts.merge(word, 1L, Long::sum);
            }
        }
        return counts;
    }
}
