package dev.skein.connector.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.connector.SkeinConnector;
import dev.skein.connector.fault.FailureHeaders;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.health.HealthReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Poison records under each failure strategy (built-in or the application's own), against the Dev Services broker. */
class FailureStrategiesTest {
    private static final String STRING_DESERIALIZER = StringDeserializer.class.getName();

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(
                    Processors.class, CustomStrategies.QuarantineFailures.class, CustomStrategies.EveryAck.class))
            .overrideConfigKey("quarkus.skein.devservices.partitions", "3")
            .overrideConfigKey("mp.messaging.incoming.dlq-in.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.dlq-in.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.dlq-in.value.deserializer", STRING_DESERIALIZER)
            .overrideConfigKey("mp.messaging.incoming.dlq-in.failure-strategy", "dead-letter-queue")
            .overrideConfigKey("mp.messaging.incoming.dlq-in.dead-letter-queue.topic", "dlq-out")
            .overrideConfigKey("mp.messaging.incoming.ignore-in.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.ignore-in.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.ignore-in.value.deserializer", STRING_DESERIALIZER)
            .overrideConfigKey("mp.messaging.incoming.ignore-in.failure-strategy", "ignore")
            .overrideConfigKey("mp.messaging.incoming.fail-in.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.fail-in.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.fail-in.value.deserializer", STRING_DESERIALIZER)
            .overrideConfigKey("mp.messaging.incoming.retry-in.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.retry-in.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.retry-in.value.deserializer", STRING_DESERIALIZER)
            .overrideConfigKey("mp.messaging.incoming.retry-in.failure-strategy", "delayed-retry-topic")
            .overrideConfigKey("mp.messaging.incoming.retry-in.delayed-retry-topic.topics", "retry-in_retry_300")
            .overrideConfigKey("mp.messaging.incoming.retry-in.delayed-retry-topic.max-retries", "1")
            .overrideConfigKey("mp.messaging.incoming.retry-in.dead-letter-queue.topic", "retry-dlq")
            .overrideConfigKey("mp.messaging.incoming.custom-in.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.custom-in.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.custom-in.value.deserializer", STRING_DESERIALIZER)
            .overrideConfigKey("mp.messaging.incoming.custom-in.failure-strategy", "quarantine")
            .overrideConfigKey("mp.messaging.incoming.custom-in.commit-strategy", "every-ack");

    @Inject
    @Identifier("quarantine")
    CustomStrategies.QuarantineFailures quarantine;

    @Inject
    @Identifier("every-ack")
    CustomStrategies.EveryAck everyAck;

    @Inject
    Processors processors;

    @Inject
    @Connector("skein")
    SkeinConnector connector;

    @ConfigProperty(name = "skein.bootstrap.servers")
    String bootstrap;

    @Test
    void deadLetterQueueReceivesPoisonRecordWithReasonHeaders() {
        send("dlq-in", "a", "poison", "b");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> processors.seen("dlq-in").containsAll(List.of("a", "b")));
        List<ConsumerRecord<String, String>> dead = readAll("dlq-out", 1);
        ConsumerRecord<String, String> copy = dead.get(0);
        assertThat(copy.value()).isEqualTo("poison");
        assertThat(FailureHeaders.text(copy.headers(), FailureHeaders.DEAD_LETTER_REASON))
                .isEqualTo("poison record");
        assertThat(FailureHeaders.text(copy.headers(), FailureHeaders.DEAD_LETTER_TOPIC))
                .isEqualTo("dlq-in");
        assertThat(FailureHeaders.text(copy.headers(), FailureHeaders.DEAD_LETTER_PARTITION))
                .isNotNull();
        assertThat(FailureHeaders.text(copy.headers(), FailureHeaders.DEAD_LETTER_OFFSET))
                .isNotNull();
    }

    /** An application's own strategy beans, annotated {@code @Identifier}, are chosen by name. */
    @Test
    void userStrategyBeansArePickedUpByName() {
        send("custom-in", "a", "poison", "b");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> processors.seen("custom-in").containsAll(List.of("a", "poison", "b")));
        // the nacked record went to the application's failure strategy, which let the channel carry on
        await().atMost(Duration.ofSeconds(10)).until(() -> !quarantine.records().isEmpty());
        assertThat(quarantine.records()).containsExactly("poison: poison record");
        assertThat(quarantine.channels()).containsExactly("custom-in");
        assertThat(everyAck.channels()).containsExactly("custom-in");
        assertThat(channelOk(connector.getLiveness(), "custom-in")).isTrue();
    }

    @Test
    void ignoreKeepsConsumingAfterPoisonRecord() {
        send("ignore-in", "a", "poison", "b");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> processors.seen("ignore-in").containsAll(List.of("a", "poison", "b")));
        assertThat(channelOk(connector.getLiveness(), "ignore-in")).isTrue();
    }

    @Test
    void failStopsTheChannelAndTurnsLivenessDown() {
        send("fail-in", "poison");
        await().atMost(Duration.ofSeconds(30)).until(() -> !channelOk(connector.getLiveness(), "fail-in"));
        assertThat(channelOk(connector.getLiveness(), "dlq-in")).isTrue();
    }

    @Test
    void delayedRetryTopicRedeliversOnceThenDeadLetters() {
        send("retry-in", "poison");
        List<ConsumerRecord<String, String>> dead = readAll("retry-dlq", 1);
        assertThat(processors.seen("retry-in")).containsExactly("poison", "poison");
        assertThat(FailureHeaders.text(dead.get(0).headers(), FailureHeaders.DELAYED_RETRY_COUNT))
                .isEqualTo("1");
        assertThat(FailureHeaders.text(dead.get(0).headers(), FailureHeaders.DEAD_LETTER_TOPIC))
                .isEqualTo("retry-in");
    }

    private static boolean channelOk(HealthReport report, String channel) {
        return report.getChannels().stream()
                .filter(info -> info.getChannel().equals(channel))
                .allMatch(HealthReport.ChannelInfo::isOk);
    }

    private void send(String topic, String... values) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                new StringSerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, 0, "key", value));
            }
        }
    }

    private List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                if (consumer.assignment().isEmpty()) {
                    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                            .map(info -> new TopicPartition(topic, info.partition()))
                            .toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
            return records;
        }
    }

    @ApplicationScoped
    public static class Processors {
        private final Map<String, ConcurrentLinkedQueue<String>> seen = Map.of(
                "dlq-in", new ConcurrentLinkedQueue<>(),
                "ignore-in", new ConcurrentLinkedQueue<>(),
                "fail-in", new ConcurrentLinkedQueue<>(),
                "retry-in", new ConcurrentLinkedQueue<>(),
                "custom-in", new ConcurrentLinkedQueue<>());

        List<String> seen(String channel) {
            return List.copyOf(seen.get(channel));
        }

        private CompletionStage<Void> process(String channel, Message<String> message) {
            seen.get(channel).add(message.getPayload());
            if (message.getPayload().equals("poison")) {
                return message.nack(new IllegalArgumentException("poison record"));
            }
            return message.ack();
        }

        @Incoming("dlq-in")
        public CompletionStage<Void> dlq(Message<String> message) {
            return process("dlq-in", message);
        }

        @Incoming("ignore-in")
        public CompletionStage<Void> ignore(Message<String> message) {
            return process("ignore-in", message);
        }

        @Incoming("fail-in")
        public CompletionStage<Void> fail(Message<String> message) {
            return process("fail-in", message);
        }

        @Incoming("custom-in")
        public CompletionStage<Void> custom(Message<String> message) {
            return process("custom-in", message);
        }

        @Incoming("retry-in")
        public CompletionStage<Void> retry(Message<String> message) {
            return process("retry-in", message);
        }
    }
}
