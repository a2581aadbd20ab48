package dev.skein.server.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.skein.server.EphemeralBrokerProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(EphemeralBrokerProfile.class)
class TopicApiTest {
    private Admin admin;

    @BeforeEach
    void connect() {
        admin = KafkaTestClients.admin();
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    @Test
    void clusterNamesItsIdControllerAndLiveBrokers() throws Exception {
        String clusterId = admin.describeCluster().clusterId().get();
        given().get("/api/v1/cluster")
                .then()
                .statusCode(200)
                .body("clusterId", equalTo(clusterId))
                .body("controller", equalTo(0))
                .body("brokers", hasSize(1))
                .body("brokers[0].id", equalTo(0))
                .body("brokers[0].port", equalTo(KafkaTestClients.broker().port()))
                .body("brokers[0].alive", equalTo(true))
                .body("version", notNullValue());
    }

    @Test
    void topicCreatedOverHttpIsVisibleToTheAdminClient() throws Exception {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "http-created", "partitions", 3, "configs", Map.of("retention.ms", "3600000")))
                .post("/api/v1/topics")
                .then()
                .statusCode(201)
                .header("Location", endsWith("/api/v1/topics/http-created"))
                .body("name", equalTo("http-created"))
                .body("partitions", hasSize(3))
                .body("replicationFactor", equalTo(1))
                .body("configs.'retention.ms'", equalTo("3600000"));

        TopicDescription described = admin.describeTopics(List.of("http-created"))
                .allTopicNames()
                .get()
                .get("http-created");
        assertThat(described.partitions()).hasSize(3);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "http-created");
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
        given().get("/api/v1/topics/http-created")
                .then()
                .body("topicId", equalTo(described.topicId().toString()));
    }

    @Test
    void topicCreatedByTheAdminClientIsListedAndDescribedOverHttp() throws Exception {
        admin.createTopics(List.of(new NewTopic("client-created", 2, (short) 1)))
                .all()
                .get();

        given().get("/api/v1/topics")
                .then()
                .statusCode(200)
                .body("find { it.name == 'client-created' }.partitions", equalTo(2))
                .body("find { it.name == 'client-created' }.replicationFactor", equalTo(1))
                .body("find { it.name == 'client-created' }.underReplicatedPartitions", equalTo(0));
        given().get("/api/v1/topics/client-created")
                .then()
                .statusCode(200)
                .body("partitions.partition", equalTo(List.of(0, 1)))
                .body("partitions[0].leader", equalTo(0))
                .body("partitions[0].replicas", equalTo(List.of(0)))
                .body("partitions[0].isr", equalTo(List.of(0)))
                .body("partitions[0].logStartOffset", equalTo(0))
                .body("partitions[0].logEndOffset", equalTo(0))
                .body("partitions[0].sizeInBytes", equalTo(0));
    }

    @Test
    void describeReportsOffsetsAndSizeAfterRecordsWereProduced() {
        createOverHttp("with-records", 1);
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("key", "k" + i, "value", "v" + i, "partition", 0))
                    .post("/api/v1/topics/with-records/records")
                    .then()
                    .statusCode(201);
        }
        long size = KafkaTestClients.broker()
                .partitions()
                .get(new org.apache.kafka.common.TopicPartition("with-records", 0))
                .orElseThrow()
                .log()
                .sizeInBytes();
        assertThat(size).isPositive();
        given().get("/api/v1/topics/with-records")
                .then()
                .body("partitions[0].logEndOffset", equalTo(3))
                .body("partitions[0].sizeInBytes", equalTo((int) size));
    }

    @Test
    void invalidTopicNameIsA400NamingTheName() {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "no spaces allowed", "partitions", 1))
                .post("/api/v1/topics")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("kafkaError", equalTo("INVALID_TOPIC_EXCEPTION"))
                .body("detail", containsString("no spaces allowed"));
    }

    @Test
    void nonPositivePartitionCountIsA400NamingPartitions() {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "zero-partitions", "partitions", 0))
                .post("/api/v1/topics")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("kafkaError", equalTo("INVALID_PARTITIONS"))
                .body("detail", containsString("partitions"));
    }

    @Test
    void replicationFactorAboveTheBrokerCountIsA400() {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "too-replicated", "partitions", 1, "replicationFactor", 3))
                .post("/api/v1/topics")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("kafkaError", equalTo("INVALID_REPLICATION_FACTOR"))
                .body("detail", containsString("3"));
    }

    @Test
    void unknownConfigKeyAndBadValueAre400sNamingTheKey() {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "bad-config", "configs", Map.of("no.such.key", "1")))
                .post("/api/v1/topics")
                .then()
                .statusCode(400)
                .body("kafkaError", equalTo("INVALID_CONFIG"))
                .body("detail", containsString("no.such.key"));
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "bad-value", "configs", Map.of("retention.ms", "soon")))
                .post("/api/v1/topics")
                .then()
                .statusCode(400)
                .body("kafkaError", equalTo("INVALID_CONFIG"))
                .body("detail", containsString("retention.ms"));
    }

    @Test
    void creatingAnExistingTopicIsA409() {
        createOverHttp("twice", 1);
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "twice"))
                .post("/api/v1/topics")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("kafkaError", equalTo("TOPIC_ALREADY_EXISTS"))
                .body("detail", containsString("twice"));
    }

    @Test
    void missingBodyIsA400() {
        given().contentType(ContentType.JSON)
                .post("/api/v1/topics")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void unknownTopicIsA404ForEveryTopicOperation() {
        given().get("/api/v1/topics/nowhere")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("kafkaError", equalTo("UNKNOWN_TOPIC_OR_PARTITION"));
        given().delete("/api/v1/topics/nowhere").then().statusCode(404);
        given().contentType(ContentType.JSON)
                .body(Map.of("count", 2))
                .post("/api/v1/topics/nowhere/partitions")
                .then()
                .statusCode(404);
        given().contentType(ContentType.JSON)
                .body(Map.of("set", Map.of("retention.ms", "1000")))
                .patch("/api/v1/topics/nowhere/configs")
                .then()
                .statusCode(404);
    }

    @Test
    void alteredConfigsAreWhatTheAdminClientSees() throws Exception {
        createOverHttp("configurable", 1);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "configurable");
        admin.incrementalAlterConfigs(Map.of(
                        resource,
                        List.of(new AlterConfigOp(
                                new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET))))
                .all()
                .get();

        given().contentType(ContentType.JSON)
                .body(Map.of("set", Map.of("retention.ms", "60000"), "delete", List.of("cleanup.policy")))
                .patch("/api/v1/topics/configurable/configs")
                .then()
                .statusCode(200)
                .body("'retention.ms'", equalTo("60000"))
                .body("$", not(org.hamcrest.Matchers.hasKey("cleanup.policy")));

        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("retention.ms").value()).isEqualTo("60000");
        assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("cleanup.policy").source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        given().get("/api/v1/topics/configurable/configs").then().body("'retention.ms'", equalTo("60000"));

        given().contentType(ContentType.JSON)
                .body(Map.of("set", Map.of("retention.ms", "never")))
                .patch("/api/v1/topics/configurable/configs")
                .then()
                .statusCode(400)
                .body("detail", containsString("retention.ms"));
    }

    @Test
    void partitionsOnlyGrow() throws Exception {
        createOverHttp("growing", 1);
        given().contentType(ContentType.JSON)
                .body(Map.of("count", 4))
                .post("/api/v1/topics/growing/partitions")
                .then()
                .statusCode(200)
                .body("partitions", hasSize(4));
        assertThat(admin.describeTopics(List.of("growing"))
                        .allTopicNames()
                        .get()
                        .get("growing")
                        .partitions())
                .hasSize(4);

        given().contentType(ContentType.JSON)
                .body(Map.of("count", 2))
                .post("/api/v1/topics/growing/partitions")
                .then()
                .statusCode(400)
                .body("kafkaError", equalTo("INVALID_PARTITIONS"))
                .body("detail", containsString("4"));
    }

    @Test
    void deletedTopicIsGoneForTheAdminClient() throws Exception {
        createOverHttp("doomed", 1);
        given().delete("/api/v1/topics/doomed").then().statusCode(204);

        assertThat(admin.listTopics().names().get()).doesNotContain("doomed");
        given().get("/api/v1/topics").then().body("name", not(hasItem("doomed")));
    }

    @Test
    void openApiDocumentDescribesTheAdminApi() {
        given().accept("application/json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/topics"))
                .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/groups/{groupId}/offsets/reset"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    private static void createOverHttp(String name, int partitions) {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "partitions", partitions))
                .post("/api/v1/topics")
                .then()
                .statusCode(201);
    }
}
