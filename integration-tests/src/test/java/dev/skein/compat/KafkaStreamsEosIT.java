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
        Map<String, Long> expected = produceLines();
        Map<String, List<Long>> seen = new HashMap<>();
        long total = expected.values().stream().mapToLong(Long::longValue).sum();
        try (KafkaConsumer<String, Long> output = skein.consumer(
                new StringDeserializer(),
                new LongDeserializer(),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            List<TopicPartition> tps = IntStream.range(0, 3)
                    .mapToObj(p -> new TopicPartition(OUTPUT, p))
                    .toList();
            output.assign(tps);
            for (int run = 1; run <= 2; run++) {
                long before = count(seen);
                try (ExternalProcess app = startApp(run)) {
                    Awaitility.await("run " + run + " committed more output")
                            .atMost(WAIT)
                            .until(() -> {
                                drain(output, seen);
                                return count(seen) > before + total / 5;
                            });
                    app.kill();
                }
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
        }
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            assertThat(seen.get(e.getKey()))
                    .as("counts of %s", e.getKey())
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, e.getValue()).boxed().toList());
        }
        assertThat(seen.keySet()).isEqualTo(expected.keySet());
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

    /** Writes {@link #LINES} lines of seeded random words; returns the count of each word. */
    private static Map<String, Long> produceLines() {
        Random random = new Random(18);
        Map<String, Long> counts = new HashMap<>();
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < LINES; i++) {
                StringBuilder line = new StringBuilder();
                int words = 1 + random.nextInt(6);
                for (int w = 0; w < words; w++) {
                    String word = "w" + random.nextInt(50);
                    line.append(w == 0 ? "" : " ").append(word.toUpperCase(Locale.ROOT));
                    counts.merge(word, 1L, Long::sum);
                }
                producer.send(new ProducerRecord<>(INPUT, "line-" + i, line.toString()));
            }
        }
        return counts;
    }
}
