package dev.skein.connector.deployment;

import static org.awaitility.Awaitility.await;

import io.quarkus.test.QuarkusDevModeTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.Assertions;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus:dev} live reload keeps the Dev Services broker and its records. The application writes
 * {@value DevModeReloadPipeline#RECORDS} records and reads its topic from the beginning without committing; its
 * health check reports the broker address and what it read. After an edit that makes it write nothing, the reloaded
 * application must report the same broker address and still read all the records the first version wrote.
 */
class DevModeReloadTest {
    @RegisterExtension
    static final QuarkusDevModeTest devMode = new QuarkusDevModeTest()
            .withApplicationRoot(jar -> jar.addClasses(DevModeReloadPipeline.class)
                    .addAsResource(
                            new StringAsset(String.join(
                                    "\n",
                                    "quarkus.skein.devservices.shared=false",
                                    "mp.messaging.outgoing.reload-out.connector=skein",
                                    "mp.messaging.outgoing.reload-out.topic=reload",
                                    "mp.messaging.outgoing.reload-out.value.serializer="
                                            + "org.apache.kafka.common.serialization.StringSerializer",
                                    "mp.messaging.incoming.reload-in.connector=skein",
                                    "mp.messaging.incoming.reload-in.topic=reload",
                                    "mp.messaging.incoming.reload-in.auto.offset.reset=earliest",
                                    "mp.messaging.incoming.reload-in.commit-strategy=ignore",
                                    "mp.messaging.incoming.reload-in.value.deserializer="
                                            + "org.apache.kafka.common.serialization.StringDeserializer")),
                            "application.properties"));

    @Test
    void liveReloadKeepsTheBrokerAndItsRecords() {
        AtomicReference<JsonPath> before = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            before.set(pipelineCheck());
            Assertions.assertThat(before.get().getInt("data.read")).isEqualTo(DevModeReloadPipeline.RECORDS);
        });

        devMode.modifySourceFile(DevModeReloadPipeline.class, source -> source.replace(
                        "static final int WRITES = RECORDS;", "static final int WRITES = 0;")
                .replace("\"pipeline-v1\"", "\"pipeline-v2\""));

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            JsonPath after = pipelineCheck();
            Assertions.assertThat(after.getString("name"))
                    .as("the edited application is running")
                    .isEqualTo("pipeline-v2");
            Assertions.assertThat(after.getString("data.bootstrap"))
                    .as("the same broker")
                    .isEqualTo(before.get().getString("data.bootstrap"));
            Assertions.assertThat(after.getInt("data.written")).isZero();
            Assertions.assertThat(after.getInt("data.read"))
                    .as("the records the first version wrote are still there")
                    .isEqualTo(DevModeReloadPipeline.RECORDS);
        });
    }

    /** The pipeline's own entry of {@code /q/health/live}. */
    private static JsonPath pipelineCheck() {
        JsonPath health = RestAssured.get("/q/health/live").then().extract().jsonPath();
        List<String> names = health.getList("checks.name");
        Assertions.assertThat(names).anyMatch(name -> name.startsWith("pipeline-"));
        int index = 0;
        while (!names.get(index).startsWith("pipeline-")) {
            index++;
        }
        return new JsonPath(health.prettify()).setRootPath("checks[" + index + "]");
    }
}
