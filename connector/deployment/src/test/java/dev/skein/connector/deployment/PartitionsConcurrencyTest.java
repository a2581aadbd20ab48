package dev.skein.connector.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.QuarkusUnitTest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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

/** {@code partitions=3} on a three-partition topic: three group members, each owning one partition. */
class PartitionsConcurrencyTest {
    static final int PARTITIONS = 3;
    static final int PER_PARTITION = 30;

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Collector.class, RecordsByPartition.class, GroupOwnership.class))
            .overrideConfigKey("quarkus.skein.devservices.partitions", String.valueOf(PARTITIONS))
            .overrideConfigKey("mp.messaging.incoming.spread.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.spread.partitions", String.valueOf(PARTITIONS))
            .overrideConfigKey("mp.messaging.incoming.spread.auto.offset.reset", "earliest")
            .overrideConfigKey(
                    "mp.messaging.incoming.spread.value.deserializer",
                    "org.apache.kafka.common.serialization.StringDeserializer");

    @Inject
    Collector collector;

    @ConfigProperty(name = "skein.bootstrap.servers")
    String bootstrap;

    @Test
    void eachOfThreeConsumersOwnsOnePartitionAndEveryRecordArrivesInPartitionOrder() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(Duration.ofSeconds(60))
                    .alias("three members with one partition each")
                    .until(() -> GroupOwnership.of(admin, "spread").size() == PARTITIONS
                            && GroupOwnership.of(admin, "spread").stream().allMatch(owned -> owned.size() == 1));
            Set<TopicPartition> all = new TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
            GroupOwnership.of(admin, "spread").forEach(all::addAll);
            assertThat(all).hasSize(PARTITIONS);
        }

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < PER_PARTITION; i++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>("spread", p, "k" + p, p + "-" + i));
                }
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> collector.count() >= PARTITIONS * PER_PARTITION);
        for (int p = 0; p < PARTITIONS; p++) {
            int partition = p;
            assertThat(collector.ofPartition(p))
                    .containsExactlyElementsOf(IntStream.range(0, PER_PARTITION)
                            .mapToObj(i -> partition + "-" + i)
                            .toList());
        }
    }

    @ApplicationScoped
    public static class Collector {
        private final RecordsByPartition received = new RecordsByPartition();

        @Incoming("spread")
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
