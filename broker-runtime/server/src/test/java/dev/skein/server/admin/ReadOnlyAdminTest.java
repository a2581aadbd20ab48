package dev.skein.server.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.skein.server.EphemeralBrokerProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** {@code skein.admin.read-only=true} and the record-browsing caps, through real HTTP against a real broker. */
@QuarkusTest
@TestProfile(ReadOnlyAdminTest.Profile.class)
class ReadOnlyAdminTest {
    /** A read-only admin API that returns at most 3,000 record bytes and waits at most 2 s per read. */
    public static class Profile extends EphemeralBrokerProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("skein.admin.read-only", "true");
            config.put("skein.admin.records.max-bytes", "3000");
            config.put("skein.admin.records.max-wait-ms", "2000");
            return config;
        }
    }

    @Test
    void mutatingEndpointsAreRefusedAndNothingChanges() throws Exception {
        createTopic("kept", 1);
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "new-topic", "partitions", 1))
                .post("/api/v1/topics")
                .then()
                .statusCode(403)
                .body("detail", containsString("skein.admin.read-only=true"));
        given().delete("/api/v1/topics/kept").then().statusCode(403);
        given().contentType(ContentType.JSON)
                .body(Map.of("value", "x"))
                .post("/api/v1/topics/kept/records")
                .then()
                .statusCode(403);

        given().get("/api/v1/topics/kept").then().statusCode(200).body("name", equalTo("kept"));
        try (Admin admin = KafkaTestClients.admin()) {
            assertThat(admin.listTopics().names().get()).contains("kept").doesNotContain("new-topic");
        }
    }

    @Test
    void recordReadsStopAtTheByteCapAndRefuseLongWaits() throws Exception {
        createTopic("big-values", 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.bootstrap()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("big-values", 0, null, new byte[1000]))
                        .get();
            }
        }
        // 3 records reach the 3,000-byte cap although 10 were asked for.
        given().get("/api/v1/topics/big-values/partitions/0/records?offset=0&limit=10")
                .then()
                .statusCode(200)
                .body("$", hasSize(3));
        given().get("/api/v1/topics/big-values/partitions/0/records?offset=0&limit=10&timeoutMs=600000")
                .then()
                .statusCode(400)
                .body("detail", containsString("skein.admin.records.max-wait-ms"));
    }

    private static void createTopic(String name, int partitions) {
        try (Admin admin = KafkaTestClients.admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get();
        } catch (Exception e) {
            throw new AssertionError("creating " + name, e);
        }
    }
}
