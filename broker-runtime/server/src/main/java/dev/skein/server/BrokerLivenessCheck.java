package dev.skein.server;

import dev.skein.broker.Broker;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness ({@code /q/health/live}): UP while the broker runs and its acceptor, network (event loop) and request
 * handler threads are alive. A lost ZooKeeper session does not make the broker dead — restarting it would not help —
 * so it only affects readiness ({@link BrokerHealthCheck}).
 */
@Liveness
@ApplicationScoped
public class BrokerLivenessCheck implements HealthCheck {
    private final BrokerLifecycle lifecycle;

    @Inject
    public BrokerLivenessCheck(BrokerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(BrokerHealthCheck.NAME);
        Optional<Broker> running = lifecycle.broker();
        if (running.isEmpty()) {
            return response.down().withData("started", false).build();
        }
        boolean threadsAlive = running.get().health().listenerAlive();
        return response.status(threadsAlive)
                .withData("brokerId", running.get().config().brokerId())
                .withData("threadsAlive", threadsAlive)
                .build();
    }
}
