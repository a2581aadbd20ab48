package dev.skein.server.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.skein.server.EphemeralBrokerProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(EphemeralBrokerProfile.class)
class RecordApiTest {
    private static final byte[] NOT_UTF8 = {(byte) 0xff, (byte) 0xfe, 0, 1};

    @Test
    void recordProducedOverHttpIsReadByAKafkaConsumer() throws Exception {
        createTopic("http-produced", 2);
        given().contentType(ContentType.JSON)
                .body(Map.of("partition", 1, "key", "k1", "value", "hello", "headers", Map.of("trace", "abc")))
                .post("/api/v1/topics/http-produced/records")
                .then()
                .statusCode(201)
                .body("topic", equalTo("http-produced"))
                .body("partition", equalTo(1))
                .body("offset", equalTo(0));

        TopicPartition tp = new TopicPartition("http-produced", 1);
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            for (int polls = 0; polls < 50 && read.isEmpty(); polls++) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        assertThat(read).hasSize(1);
        assertThat(new String(read.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("k1");
        assertThat(new String(read.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(new String(read.get(0).headers().lastHeader("trace").value(), StandardCharsets.UTF_8))
                .isEqualTo("abc");
    }

    @Test
    void recordsProducedByAKafkaProducerAreReadOverHttpAsUtf8OrBase64() throws Exception {
        createTopic("client-produced", 1);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(
                            "client-produced",
                            0,
                            1_700_000_000_000L,
                            "text".getBytes(StandardCharsets.UTF_8),
                            NOT_UTF8,
                            List.of(new RecordHeader("h", NOT_UTF8))))
                    .get();
            producer.send(new ProducerRecord<>("client-produced", 0, null, "second".getBytes(StandardCharsets.UTF_8)))
                    .get();
            producer.send(new ProducerRecord<>("client-produced", 0, null, "third".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        String base64 = Base64.getEncoder().encodeToString(NOT_UTF8);

        given().get("/api/v1/topics/client-produced/partitions/0/records?offset=0&limit=2")
                .then()
                .statusCode(200)
                .body("$", hasSize(2))
                .body("[0].offset", equalTo(0))
                .body("[0].timestamp", equalTo(1_700_000_000_000L))
                .body("[0].timestampType", equalTo("CreateTime"))
                .body("[0].key.data", equalTo("text"))
                .body("[0].key.encoding", equalTo("utf8"))
                .body("[0].value.data", equalTo(base64))
                .body("[0].value.encoding", equalTo("base64"))
                .body("[0].headers[0].key", equalTo("h"))
                .body("[0].headers[0].value.data", equalTo(base64))
                .body("[1].key", nullValue())
                .body("[1].value.data", equalTo("second"));
        given().get("/api/v1/topics/client-produced/partitions/0/records?offset=2&limit=10")
                .then()
                .body("$", hasSize(1))
                .body("[0].value.data", equalTo("third"));
        given().get("/api/v1/topics/client-produced/partitions/0/records?offset=3")
                .then()
                .statusCode(200)
                .body("$", hasSize(0));
    }

    @Test
    void base64EncodedRecordRoundTripsItsBytes() {
        createTopic("binary", 1);
        String base64 = Base64.getEncoder().encodeToString(NOT_UTF8);
        given().contentType(ContentType.JSON)
                .body(Map.of("value", base64, "encoding", "base64"))
                .post("/api/v1/topics/binary/records")
                .then()
                .statusCode(201);
        given().get("/api/v1/topics/binary/partitions/0/records")
                .then()
                .body("[0].value.data", equalTo(base64))
                .body("[0].value.encoding", equalTo("base64"));

        given().contentType(ContentType.JSON)
                .body(Map.of("value", "%%%", "encoding", "base64"))
                .post("/api/v1/topics/binary/records")
                .then()
                .statusCode(400)
                .body("detail", containsString("value"));
    }

    @Test
    void unknownTopicOrPartitionIsA404() {
        createTopic("one-partition", 1);
        given().get("/api/v1/topics/nowhere/partitions/0/records")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        given().get("/api/v1/topics/one-partition/partitions/5/records")
                .then()
                .statusCode(404)
                .body("detail", containsString("Partition 5"));
        given().contentType(ContentType.JSON)
                .body(Map.of("value", "x"))
                .post("/api/v1/topics/nowhere/records")
                .then()
                .statusCode(404);
        given().contentType(ContentType.JSON)
                .body(Map.of("value", "x", "partition", 3))
                .post("/api/v1/topics/one-partition/records")
                .then()
                .statusCode(404);
    }

    @Test
    void badReadParametersAre400s() {
        createTopic("params", 1);
        given().get("/api/v1/topics/params/partitions/0/records?offset=-1")
                .then()
                .statusCode(400)
                .body("detail", containsString("offset"));
        given().get("/api/v1/topics/params/partitions/0/records?limit=0")
                .then()
                .statusCode(400)
                .body("detail", containsString("limit"));
        given().contentType(ContentType.JSON)
                .body(Map.of("value", "x", "encoding", "rot13"))
                .post("/api/v1/topics/params/records")
                .then()
                .statusCode(400)
                .body("detail", containsString("encoding"));
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

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.bootstrap()),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        KafkaTestClients.bootstrap(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }
}
