package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinTestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams 4.4 {@code exactly_once_v2} against Skein: a word count ({@link EosWordCountApp}) in its own JVM is
 * killed with SIGKILL twice mid-run and restarted on the same state directory. Its open transactions are aborted by
 * the restarted instance (same transactional id) and their output, changelog writes and input offsets vanish; a
 * {@code read_committed} reader of the output then sees for every word exactly the counts 1, 2, ..., n: no input was
 * lost or counted twice.
 */
class KafkaStreamsEosIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String APP = "skein-eos-wordcount";
    private static final String INPUT = "eos-lines";
    private static final String OUTPUT = "eos-counts";
    private static final int LINES = 4_000;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SkeinTestBroker skein = SkeinTestBroker.extension();

    @Test
    void wordCountKilledTwiceMidRunEmitsEveryCountExactlyOnce() throws Exception {
        skein.createTopic(INPUT, 3);
        skein.createTopic(OUTPUT, 3);
        List<String> lines = lines();
        Map<String, Long> expected = counts(lines);
        long total = expected.values().stream().mapToLong(Long::longValue).sum();
        Map<String, List<Long>> seen = new HashMap<>();
        // the input keeps arriving while the instances run and are killed, so every kill lands mid-stream
        Thread feeder = new Thread(() -> produce(lines), "eos-input-feeder");
        feeder.start();
        try (KafkaConsumer<String, Long> output = outputReader("read_committed")) {
            for (int run = 1; run <= 2; run++) {
                long before = count(seen);
                try (ExternalProcess app = startApp(run)) {
                    Awaitility.await("run " + run + " committed more output")
                            .atMost(WAIT)
                            .until(() -> {
                                drain(output, seen);
                                return count(seen) > before + total / 10;
                            });
                    app.kill();
                }
                System.out.printf("EOS word count: run %d killed after %d of %d counts%n", run, count(seen), total);
            }
            try (ExternalProcess app = startApp(3)) {
                Awaitility.await("all counts")
                        .atMost(WAIT)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            drain(output, seen);
                            return count(seen) >= total;
                        });
                drain(output, seen);
            }
        } finally {
            feeder.join(WAIT.toMillis());
        }
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            assertThat(seen.get(e.getKey()))
                    .as("counts of %s", e.getKey())
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, e.getValue()).boxed().toList());
        }
        assertThat(seen.keySet()).isEqualTo(expected.keySet());
        try (KafkaConsumer<String, Long> uncommitted = outputReader("read_uncommitted")) {
            Map<TopicPartition, Long> end = uncommitted.endOffsets(uncommitted.assignment());
            long[] all = {0};
            Awaitility.await("read_uncommitted to the end").atMost(WAIT).until(() -> {
                all[0] += uncommitted.poll(Duration.ofMillis(100)).count();
                return end.entrySet().stream().allMatch(e -> uncommitted.position(e.getKey()) >= e.getValue());
            });
            System.out.printf(
                    "EOS word count: %d counts read_committed, %d records read_uncommitted (aborted output included)%n",
                    total, all[0]);
            assertThat(all[0]).isGreaterThanOrEqualTo(total);
        }
    }

    private static KafkaConsumer<String, Long> outputReader(String isolation) {
        KafkaConsumer<String, Long> output = skein.consumer(
                new StringDeserializer(),
                new LongDeserializer(),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation));
        output.assign(IntStream.range(0, 3)
                .mapToObj(p -> new TopicPartition(OUTPUT, p))
                .toList());
        return output;
    }

    private static ExternalProcess startApp(int run) throws Exception {
        ExternalProcess app = ExternalProcess.start(
                dir,
                "eos-app-" + run,
                KafkaTool.command(
                        EosWordCountApp.class.getName(),
                        List.of(skein.bootstrap(), dir.resolve("state").toString(), APP, INPUT, OUTPUT)));
        Awaitility.await("app run " + run + " RUNNING").atMost(WAIT).until(() -> app.stdout()
                .contains("RUNNING"));
        return app;
    }

    private static long count(Map<String, List<Long>> seen) {
        return seen.values().stream().mapToLong(List::size).sum();
    }

    private static void drain(KafkaConsumer<String, Long> output, Map<String, List<Long>> seen) {
        output.poll(Duration.ofMillis(100)).forEach(r -> seen.computeIfAbsent(r.key(), k -> new ArrayList<>())
                .add(r.value()));
    }

    /** {@link #LINES} lines of seeded random words. */
    private static List<String> lines() {
        Random random = new Random(18);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < LINES; i++) {
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

    /** Writes the lines in acknowledged chunks of 50, one every 250 ms (about 20 s in all). */
    private static void produce(List<String> lines) {
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < lines.size(); i++) {
                producer.send(new ProducerRecord<>(INPUT, "line-" + i, lines.get(i)));
                if (i % 50 == 49) {
                    producer.flush();
                    Thread.sleep(250);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
