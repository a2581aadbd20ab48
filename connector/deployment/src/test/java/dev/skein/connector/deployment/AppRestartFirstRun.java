package dev.skein.connector.deployment;

import static dev.skein.connector.deployment.RestartLedger.ACKED_BY_FIRST;
import static dev.skein.connector.deployment.RestartLedger.FIRST_RUN;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.QuarkusUnitTest;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * First application of {@link AppRestartTest} (run only by it): acknowledges the first records, then holds the next
 * one unacknowledged until it is shut down.
 */
class AppRestartFirstRun {
    @RegisterExtension
    static final QuarkusUnitTest app = RestartLedger.application(Processor.class);

    @Test
    void processesPartOfTheTopic() {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> RestartLedger.sharedQueue(FIRST_RUN).size() > ACKED_BY_FIRST);
    }

    @ApplicationScoped
    public static class Processor {
        @Incoming("restart-in")
        public CompletionStage<Void> process(Message<String> message) {
            Queue<String> processed = RestartLedger.sharedQueue(FIRST_RUN);
            processed.add(message.getPayload());
            return processed.size() <= ACKED_BY_FIRST ? message.ack() : new CompletableFuture<>();
        }
    }
}
