package org.acme;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PipelineTest {
    @Inject
    Pipeline pipeline;

    @ConfigProperty(name = "skein.bootstrap.servers")
    String bootstrap;

    @Test
    void recordsFlowEndToEndThroughTheDevServicesBroker() {
        List<String> expected =
                IntStream.range(0, Pipeline.WORDS).mapToObj(i -> "WORD-" + i).toList();
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.received().size() >= expected.size());
        assertEquals(expected, pipeline.received());
        assertTrue(bootstrap.startsWith("127.0.0.1:"), "Dev Services set skein.bootstrap.servers: " + bootstrap);
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
