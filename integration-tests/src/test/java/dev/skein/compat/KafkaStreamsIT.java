package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinTestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams 4.4 word count (at-least-once) against Skein: the topology re-keys through a repartition topic and
 * counts into a state store backed by a compacted changelog topic, both created by Streams itself. The application
 * is closed mid-run and restarted with its local state wiped, so the store is restored from the changelog; the final
 * count of every word in the output topic is exact.
 */
class KafkaStreamsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String APP = "skein-wordcount";
    private static final String INPUT = "wc-lines";
    private static final String OUTPUT = "wc-counts";
    private static final int LINES = 3_000;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SkeinTestBroker skein = SkeinTestBroker.extension();

    @Test
    void wordCountSurvivesRestartWithRestoredStateAndCountsExactly() throws Exception {
        skein.createTopic(INPUT, 3);
        skein.createTopic(OUTPUT, 3);
        Map<String, Long> expected = produceLines();

        Map<String, Long> latest = new HashMap<>();
        try (KafkaConsumer<String, Long> output = outputConsumer()) {
            output.subscribe(List.of(OUTPUT));
            try (KafkaStreams first = start(dir.resolve("state-1"))) {
                Awaitility.await("first instance emitted some counts")
                        .atMost(WAIT)
                        .until(() -> {
                            drain(output, latest);
                            return !latest.isEmpty();
                        });
                first.close(Duration.ofSeconds(30));
            }
            long countedBeforeRestart =
                    latest.values().stream().mapToLong(Long::longValue).sum();

            // a new instance with empty local state: the store must come back from the changelog topic
            try (KafkaStreams second = start(dir.resolve("state-2"))) {
                Awaitility.await("final counts")
                        .atMost(WAIT)
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            drain(output, latest);
                            return latest.equals(expected);
                        });
                second.close(Duration.ofSeconds(30));
            }
            System.out.printf(
                    "Kafka Streams word count: %d distinct words, %d words in %d lines; %d counted before the"
                            + " restart%n",
                    expected.size(),
                    expected.values().stream().mapToLong(Long::longValue).sum(),
                    LINES,
                    countedBeforeRestart);
        }
        assertThat(latest).isEqualTo(expected);

        Admin admin = skein.admin();
        assertThat(admin.listTopics().names().get()).contains(APP + "-by-word-repartition", APP + "-counts-changelog");
        ConfigResource changelog = new ConfigResource(ConfigResource.Type.TOPIC, APP + "-counts-changelog");
        Config config = admin.describeConfigs(List.of(changelog)).all().get().get(changelog);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
    }

    private static Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(
                        line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split("\\s+")))
                .groupBy((key, word) -> word, Grouped.with("by-word", Serdes.String(), Serdes.String()))
                .count(Materialized.as("counts"))
                .toStream()
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private static KafkaStreams start(Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, skein.bootstrap());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 200);
        // Streams does not leave the group on close: the restarted instance waits out the old member's session
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 500);
        KafkaStreams streams = new KafkaStreams(topology(), props);
        streams.start();
        Awaitility.await("streams RUNNING").atMost(WAIT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return streams;
    }

    /** Writes {@link #LINES} lines of seeded random words; returns the count of each word. */
    private static Map<String, Long> produceLines() {
        List<String> vocabulary = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            vocabulary.add("word" + i);
        }
        Random random = new Random(42);
        Map<String, Long> counts = new HashMap<>();
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int line = 0; line < LINES; line++) {
                StringBuilder text = new StringBuilder();
                int words = 1 + random.nextInt(8);
                for (int w = 0; w < words; w++) {
                    String word = vocabulary.get(random.nextInt(vocabulary.size()));
                    text.append(w == 0 ? "" : " ").append(w % 3 == 0 ? word.toUpperCase(Locale.ROOT) : word);
                    counts.merge(word, 1L, Long::sum);
                }
                producer.send(new ProducerRecord<>(INPUT, "line-" + line, text.toString()));
            }
            producer.flush();
        }
        return counts;
    }

    private static KafkaConsumer<String, Long> outputConsumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, skein.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "wc-verifier");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new LongDeserializer());
    }

    private static void drain(KafkaConsumer<String, Long> output, Map<String, Long> latest) {
        output.poll(Duration.ofMillis(100)).forEach(record -> latest.put(record.key(), record.value()));
    }
}
