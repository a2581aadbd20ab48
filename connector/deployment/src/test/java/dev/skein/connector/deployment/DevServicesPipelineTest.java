package dev.skein.connector.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.connector.SkeinIncomingMetadata;
import dev.skein.connector.SkeinOutgoingMetadata;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application with no {@code bootstrap.servers} anywhere: Dev Services start the broker (a child JVM) and the
 * produce -> transform -> consume pipeline runs against it.
 */
class DevServicesPipelineTest {
    static final int RECORDS = 300;
    static final int KEYS = 7;

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Pipeline.class))
            .overrideConfigKey("quarkus.skein.devservices.partitions", "3")
            .overrideConfigKey("mp.messaging.outgoing.source.connector", "skein")
            .overrideConfigKey("mp.messaging.outgoing.source.topic", "words")
            .overrideConfigKey(
                    "mp.messaging.outgoing.source.value.serializer",
                    "org.apache.kafka.common.serialization.StringSerializer")
            .overrideConfigKey("mp.messaging.incoming.words.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.words.auto.offset.reset", "earliest")
            .overrideConfigKey(
                    "mp.messaging.incoming.words.value.deserializer",
                    "org.apache.kafka.common.serialization.StringDeserializer")
            .overrideConfigKey("mp.messaging.outgoing.upper.connector", "skein")
            .overrideConfigKey("mp.messaging.outgoing.upper.propagate-record-key", "true")
            .overrideConfigKey(
                    "mp.messaging.outgoing.upper.value.serializer",
                    "org.apache.kafka.common.serialization.StringSerializer")
            .overrideConfigKey("mp.messaging.incoming.results.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.results.topic", "upper")
            .overrideConfigKey("mp.messaging.incoming.results.auto.offset.reset", "earliest")
            .overrideConfigKey(
                    "mp.messaging.incoming.results.value.deserializer",
                    "org.apache.kafka.common.serialization.StringDeserializer");

    @Inject
    Pipeline pipeline;

    @ConfigProperty(name = "skein.bootstrap.servers")
    String bootstrap;

    @Test
    void devServicesBrokerCarriesEveryRecordInOrderPerPartition() {
        assertThat(bootstrap).startsWith("127.0.0.1:");
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.results().size() >= RECORDS);

        Map<Integer, List<Received>> byPartition = new HashMap<>();
        Map<Object, Integer> partitionOfKey = new HashMap<>();
        List<Received> all = pipeline.results();
        for (Received one : all) {
            SkeinIncomingMetadata record = one.metadata();
            byPartition
                    .computeIfAbsent(record.partition(), p -> new ArrayList<>())
                    .add(one);
            assertThat(partitionOfKey.putIfAbsent(record.key(), record.partition()))
                    .as("key %s stays on one partition", record.key())
                    .isIn(null, record.partition());
        }
        assertThat(all).hasSize(RECORDS);
        assertThat(byPartition.keySet()).hasSizeGreaterThan(1);
        for (List<Received> partition : byPartition.values()) {
            Map<Object, Integer> lastSequenceOfKey = new HashMap<>();
            long lastOffset = -1;
            for (Received received : partition) {
                SkeinIncomingMetadata record = received.metadata();
                assertThat(record.offset()).isGreaterThan(lastOffset);
                lastOffset = record.offset();
                int sequence = Integer.parseInt(received.payload().substring("WORD-".length()));
                Integer previous = lastSequenceOfKey.put(record.key(), sequence);
                assertThat(previous == null || previous < sequence)
                        .as("key %s: %s after %s", record.key(), sequence, previous)
                        .isTrue();
            }
        }
    }

    record Received(SkeinIncomingMetadata metadata, String payload) {}

    @ApplicationScoped
    public static class Pipeline {
        final ConcurrentLinkedQueue<Received> results = new ConcurrentLinkedQueue<>();

        List<Received> results() {
            return List.copyOf(results);
        }

        @Outgoing("source")
        public Multi<Message<String>> generate() {
            return Multi.createFrom().range(0, RECORDS).map(i -> Message.of("word-" + i)
                    .addMetadata(SkeinOutgoingMetadata.builder()
                            .withKey("key-" + (i % KEYS))
                            .build()));
        }

        @Incoming("words")
        @Outgoing("upper")
        public Message<String> upper(Message<String> word) {
            return word.withPayload(word.getPayload().toUpperCase());
        }

        @Incoming("results")
        public CompletionStage<Void> collect(Message<String> result) {
            SkeinIncomingMetadata metadata =
                    result.getMetadata(SkeinIncomingMetadata.class).orElseThrow();
            results.add(new Received(metadata, result.getPayload()));
            return result.ack();
        }
    }
}
