package dev.skein.server;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(ExternalZooKeeperProfile.class)
class ZooKeeperReadinessTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @ExternalZooKeeper.Inject
    TestingServer zookeeper;

    @Test
    void readinessFollowsTheZooKeeperSessionWhileLivenessStaysUp() throws Exception {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));

        zookeeper.stop();
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> given().get("/q/health/ready")
                .then()
                .statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'skein-broker' }.data.zookeeperConnected", equalTo(false))
                .body("checks.find { it.name == 'skein-broker' }.data.listenerAlive", equalTo(true)));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.containsString("kafka_server_zookeeperclient_connected 0.0"));

        zookeeper.restart();
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'skein-broker' }.data.zookeeperConnected", equalTo(true)));
    }
}
