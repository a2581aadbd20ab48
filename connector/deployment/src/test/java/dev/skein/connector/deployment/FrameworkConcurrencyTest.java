package dev.skein.connector.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.QuarkusUnitTest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The framework's {@code concurrency=3}: the copies {@code copies$1..copies$3} must be three members of the base
 * channel's group ({@code copies}) reading disjoint partitions of the base topic, so every record is processed once.
 * The channel also carries a misspelt attribute, which must be reported at start-up.
 */
class FrameworkConcurrencyTest {
    static final int PARTITIONS = 3;
    static final int PER_PARTITION = 30;

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Collector.class, RecordsByPartition.class, GroupOwnership.class))
            .overrideConfigKey("quarkus.skein.devservices.partitions", String.valueOf(PARTITIONS))
            .overrideConfigKey("mp.messaging.incoming.copies.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.copies.concurrency", "3")
            .overrideConfigKey("mp.messaging.incoming.copies.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.copies.ordred", "key")
            .overrideConfigKey(
                    "mp.messaging.incoming.copies.value.deserializer",
                    "org.apache.kafka.common.serialization.StringDeserializer")
            .setLogRecordPredicate(record -> record.getLevel().intValue() >= Level.WARNING.intValue())
            .assertLogRecords(records -> assertThat(records)
                    .as("a start-up warning naming the misspelt attribute")
                    .anyMatch(record ->
                            (record.getMessage() + Arrays.toString(record.getParameters())).contains("ordred")));

    @Inject
    Collector collector;

    @ConfigProperty(name = "skein.bootstrap.servers")
    String bootstrap;

    @Test
    void copiesShareTheBaseGroupAndTopicAndProcessEveryRecordOnce() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(Duration.ofSeconds(60))
                    .alias("three members of group 'copies' with one partition each")
                    .ignoreExceptions()
                    .until(() -> GroupOwnership.of(admin, "copies").size() == PARTITIONS
                            && GroupOwnership.of(admin, "copies").stream().allMatch(owned -> owned.size() == 1));
            Set<TopicPartition> all = new HashSet<>();
            GroupOwnership.of(admin, "copies").forEach(all::addAll);
            assertThat(all)
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, PARTITIONS)
                            .mapToObj(p -> new TopicPartition("copies", p))
                            .toList());
            assertThat(admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId))
                    .as("no copy joined a group of its own")
                    .noneMatch(group -> group.startsWith("copies$"));
        }

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < PER_PARTITION; i++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>("copies", p, "k" + p, p + "-" + i));
                }
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> collector.count() >= PARTITIONS * PER_PARTITION);
        for (int p = 0; p < PARTITIONS; p++) {
            int partition = p;
            assertThat(collector.ofPartition(p))
                    .as("partition %d: every record once, in order", p)
                    .containsExactlyElementsOf(IntStream.range(0, PER_PARTITION)
                            .mapToObj(i -> partition + "-" + i)
                            .toList());
        }
    }

    @ApplicationScoped
    public static class Collector {
        private final RecordsByPartition received = new RecordsByPartition();

        @Incoming("copies")
        public CompletionStage<Void> consume(Message<String> message) {
            received.add(message);
            return message.ack();
        }

        int count() {
            return received.count();
        }

        List<String> ofPartition(int partition) {
            return received.ofPartition(partition);
        }
    }
}
