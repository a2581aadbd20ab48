package dev.skein.connector.deployment;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import io.quarkus.test.QuarkusUnitTest;
import io.restassured.RestAssured;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /q/health} carries the connector's readiness and liveness per channel. */
class HealthEndpointTest {
    private static final String STRING_DESERIALIZER = "org.apache.kafka.common.serialization.StringDeserializer";

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Processor.class))
            .overrideConfigKey("mp.messaging.incoming.steady.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.steady.value.deserializer", STRING_DESERIALIZER)
            .overrideConfigKey("mp.messaging.incoming.doomed.connector", "skein")
            .overrideConfigKey("mp.messaging.incoming.doomed.auto.offset.reset", "earliest")
            .overrideConfigKey("mp.messaging.incoming.doomed.value.deserializer", STRING_DESERIALIZER);

    @ConfigProperty(name = "skein.bootstrap.servers")
    String bootstrap;

    @Test
    void readinessIsUpOnceConnectedAndLivenessGoesDownWhenAChannelFails() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> RestAssured.get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", is("UP"))
                .body(containsString("steady"))
                .body(containsString("doomed")));
        RestAssured.get("/q/health/live").then().statusCode(200).body("status", is("UP"));

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>("doomed", "poison"));
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> RestAssured.get("/q/health/live")
                .then()
                .statusCode(503)
                .body("status", is("DOWN"))
                .body(containsString("poison record")));
        RestAssured.get("/q/health/ready").then().statusCode(503).body("status", is("DOWN"));
    }

    @ApplicationScoped
    public static class Processor {
        @Incoming("steady")
        public void steady(String value) {}

        @Incoming("doomed")
        public CompletionStage<Void> doomed(Message<String> message) {
            return message.nack(new IllegalArgumentException("poison record"));
        }
    }
}
