package dev.skein.server;

import dev.skein.broker.Broker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness and liveness ({@code /q/health/ready}, {@code /q/health/live}): UP with the Kafka port once the broker
 * accepts connections, DOWN before start-up completed and after shutdown began. Called on HTTP threads; reads only
 * the volatile broker reference.
 */
@Readiness
@Liveness
@ApplicationScoped
public class BrokerHealthCheck implements HealthCheck {
    static final String NAME = "skein-broker";

    private final BrokerLifecycle lifecycle;

    @Inject
    public BrokerHealthCheck(BrokerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        Optional<Broker> broker = lifecycle.broker();
        if (broker.isEmpty()) {
            return response.down().build();
        }
        return response.up()
                .withData("brokerId", broker.get().config().brokerId())
                .withData("port", broker.get().port())
                .build();
    }
}
