package dev.skein.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(EphemeralBrokerProfile.class)
class BrokerHealthTest {
    @Test
    void readinessIsUpOnceTheBrokerStarted() {
        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(BrokerHealthCheck.NAME))
                .body("checks.find { it.name == 'skein-broker' }.data.brokerId", equalTo(0));
    }

    @Test
    void livenessIsUpWhileTheBrokerRuns() {
        given().when()
                .get("/q/health/live")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'skein-broker' }.status", equalTo("UP"));
    }
}
