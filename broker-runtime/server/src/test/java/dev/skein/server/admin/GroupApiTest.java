package dev.skein.server.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.skein.server.EphemeralBrokerProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(EphemeralBrokerProfile.class)
class GroupApiTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @Test
    void activeGroupIsDescribedWithMembersAssignmentAndLag() throws Exception {
        createTopicWithRecords("group-input", 2, 10);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("billing")) {
            consumer.subscribe(List.of("group-input"));
            await().atMost(WITHIN).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 2;
            });
            consumer.commitSync(Map.of(
                    new TopicPartition("group-input", 0), new OffsetAndMetadata(3),
                    new TopicPartition("group-input", 1), new OffsetAndMetadata(5)));

            given().get("/api/v1/groups")
                    .then()
                    .statusCode(200)
                    .body("find { it.groupId == 'billing' }.state", equalTo("Stable"));
            given().get("/api/v1/groups/billing")
                    .then()
                    .statusCode(200)
                    .body("state", equalTo("Stable"))
                    .body("coordinator", equalTo(0))
                    .body("members", hasSize(1))
                    .body("members[0].clientId", equalTo("billing-client"))
                    .body("members[0].assignment.partition", equalTo(List.of(0, 1)));
            given().get("/api/v1/groups/billing/offsets")
                    .then()
                    .statusCode(200)
                    .body("committedOffset", equalTo(List.of(3, 5)))
                    .body("logEndOffset", equalTo(List.of(10, 10)))
                    .body("lag", equalTo(List.of(7, 5)));

            given().get("/q/metrics")
                    .then()
                    .body(containsString("kafka_coordinator_group_groupmetadatamanager_numgroupsstable 1.0"));
            given().contentType(ContentType.JSON)
                    .body(Map.of("topic", "group-input", "to", "earliest"))
                    .post("/api/v1/groups/billing/offsets/reset")
                    .then()
                    .statusCode(409)
                    .contentType("application/problem+json")
                    .body("detail", containsString("empty"));
            given().delete("/api/v1/groups/billing")
                    .then()
                    .statusCode(409)
                    .body("kafkaError", equalTo("NON_EMPTY_GROUP"));
        }
    }

    @Test
    void emptyGroupOffsetsAreResetVisiblyToTheAdminClientAndTheGroupIsDeleted() throws Exception {
        createTopicWithRecords("reset-input", 1, 8);
        TopicPartition tp = new TopicPartition("reset-input", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("resettable")) {
            consumer.assign(List.of(tp));
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(6)));
        }

        reset("resettable", Map.of("topic", "reset-input", "to", "earliest"))
                .body("committedOffset", equalTo(List.of(0)))
                .body("lag", equalTo(List.of(8)));
        reset("resettable", Map.of("topic", "reset-input", "to", "latest"))
                .body("committedOffset", equalTo(List.of(8)));
        reset("resettable", Map.of("topic", "reset-input", "partitions", List.of(0), "to", "offset", "offset", 4))
                .body("committedOffset", equalTo(List.of(4)));
        reset("resettable", Map.of("topic", "reset-input", "to", "timestamp", "timestamp", 1_700_000_000_005L))
                .body("committedOffset", equalTo(List.of(5)));
        try (Admin admin = KafkaTestClients.admin()) {
            assertThat(admin.listConsumerGroupOffsets("resettable")
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .get(tp)
                            .offset())
                    .isEqualTo(5);
        }

        given().contentType(ContentType.JSON)
                .body(Map.of("topic", "reset-input", "to", "yesterday"))
                .post("/api/v1/groups/resettable/offsets/reset")
                .then()
                .statusCode(400)
                .body("detail", containsString("yesterday"));
        given().contentType(ContentType.JSON)
                .body(Map.of("topic", "reset-input", "partitions", List.of(7), "to", "earliest"))
                .post("/api/v1/groups/resettable/offsets/reset")
                .then()
                .statusCode(404);

        given().delete("/api/v1/groups/resettable").then().statusCode(204);
        given().get("/api/v1/groups").then().body("groupId", not(hasItem("resettable")));
    }

    @Test
    void unknownGroupIsA404() {
        given().get("/api/v1/groups/nobody")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("kafkaError", equalTo("GROUP_ID_NOT_FOUND"));
        given().get("/api/v1/groups/nobody/offsets").then().statusCode(404);
        given().delete("/api/v1/groups/nobody").then().statusCode(404);
    }

    private static io.restassured.response.ValidatableResponse reset(String group, Map<String, Object> body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/groups/" + group + "/offsets/reset")
                .then()
                .statusCode(200);
    }

    /** A topic whose partitions each hold {@code records} records with timestamps 1_700_000_000_000 + offset. */
    private static void createTopicWithRecords(String topic, int partitions, int records) throws Exception {
        try (Admin admin = KafkaTestClients.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestClients.bootstrap()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < records; i++) {
                    producer.send(new ProducerRecord<>(topic, p, 1_700_000_000_000L + i, null, new byte[] {(byte) i}));
                }
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        KafkaTestClients.bootstrap(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        group,
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        group + "-client",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }
}
