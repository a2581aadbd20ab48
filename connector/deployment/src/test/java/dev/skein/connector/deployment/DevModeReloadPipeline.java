package dev.skein.connector.deployment;

import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

/**
 * The application {@link DevModeReloadTest} runs in dev mode and edits: writes {@code WRITES} records, reads the topic,
 * and reports the broker address and the counts as a liveness check named after its version.
 */
@ApplicationScoped
@Liveness
public class DevModeReloadPipeline implements HealthCheck {
    static final int RECORDS = 10;
    static final int WRITES = RECORDS;
    private final AtomicInteger read = new AtomicInteger();

    @ConfigProperty(name = "skein.bootstrap.servers")
    String bootstrap;

    @Outgoing("reload-out")
    public Multi<String> write() {
        return Multi.createFrom().range(0, WRITES).map(i -> "record-" + i);
    }

    @Incoming("reload-in")
    public void read(String value) {
        read.incrementAndGet();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("pipeline-v1")
                .up()
                .withData("bootstrap", bootstrap)
                .withData("written", WRITES)
                .withData("read", read.get())
                .build();
    }
}
