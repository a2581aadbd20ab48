package dev.skein.connector.deployment;

import static dev.skein.connector.deployment.RestartLedger.RECORDS;
import static dev.skein.connector.deployment.RestartLedger.SECOND_RUN;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.QuarkusUnitTest;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Second application of {@link AppRestartTest} (run only by it): processes whatever the group has not committed. */
class AppRestartSecondRun {
    @RegisterExtension
    static final QuarkusUnitTest app = RestartLedger.application(Processor.class);

    @Test
    void completesTheTopic() {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> RestartLedger.sharedQueue(SECOND_RUN).contains(String.valueOf(RECORDS - 1)));
    }

    @ApplicationScoped
    public static class Processor {
        @Incoming("restart-in")
        public CompletionStage<Void> process(Message<String> message) {
            RestartLedger.sharedQueue(SECOND_RUN).add(message.getPayload());
            return message.ack();
        }
    }
}
