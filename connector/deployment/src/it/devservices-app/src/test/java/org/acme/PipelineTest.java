package org.acme;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PipelineTest {
    @Inject
    Pipeline pipeline;

    @Inject
    @Identifier("quarantine")
    Quarantine quarantine;

    @Inject
    @Identifier("every-ack")
    EveryAck everyAck;

    @ConfigProperty(name = "skein.bootstrap.servers")
    String bootstrap;

    @Test
    void recordsFlowEndToEndThroughTheDevServicesBroker() {
        List<String> expected = IntStream.range(0, Pipeline.WORDS)
                .mapToObj(i -> "WORD-" + i)
                .filter(word -> !word.equals(Pipeline.REFUSED))
                .toList();
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.received().size() >= expected.size());
        assertEquals(expected, pipeline.received());
        assertTrue(bootstrap.startsWith("127.0.0.1:"), "Dev Services set skein.bootstrap.servers: " + bootstrap);
    }

    @Test
    void theApplicationsOwnStrategiesAreChosenByName() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> !quarantine.records().isEmpty());
        assertEquals(List.of(Pipeline.REFUSED + ": refused by the collector"), quarantine.records());
        assertEquals(List.of("upper-in"), everyAck.channels());
        // every-ack commits the collector's position: the group's committed offset reaches the topic's end (all
        // ten records, the quarantined one included).
        Properties config = new Properties();
        config.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(config)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> committed(admin) == Pipeline.WORDS);
        }
    }

    private static long committed(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets =
                admin.listConsumerGroupOffsets("collector").partitionsToOffsetAndMetadata().get();
        return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

    @Test
    void theApplicationRunsOnItsBomsKafkaClientsWithoutBrokerClasses() throws Exception {
        Properties version = new Properties();
        try (InputStream in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            version.load(in);
        }
        assertEquals(System.getProperty("skein.it.kafka-clients"), version.getProperty("version"));
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.skein.broker.Broker", false, application));
        assertThrows(
                ClassNotFoundException.class,
                () -> Class.forName("dev.skein.devbroker.DevBrokerMain", false, application));
    }
}
