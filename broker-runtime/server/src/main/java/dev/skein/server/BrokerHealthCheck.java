package dev.skein.server;

import dev.skein.broker.Broker;
import dev.skein.broker.BrokerHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness ({@code /q/health/ready}): UP while the broker can serve clients — its ZooKeeper session is connected, its
 * logs are loaded (they are before the broker object exists), its listener is bound with all threads running, and it
 * is not shutting down. DOWN before start-up completed, after shutdown began and while ZooKeeper is unreachable; the
 * data says which condition failed. Called on HTTP threads; reads only volatile state.
 */
@Readiness
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
        Optional<Broker> running = lifecycle.broker();
        if (running.isEmpty()) {
            return response.down().withData("started", false).build();
        }
        Broker broker = running.get();
        BrokerHealth health = broker.health();
        return response.status(health.ready())
                .withData("brokerId", broker.config().brokerId())
                .withData("port", broker.port())
                .withData("zookeeperConnected", health.zookeeperConnected())
                .withData("logsLoaded", true)
                .withData("listenerAlive", health.listenerAlive())
                .withData("shuttingDown", health.shuttingDown())
                .build();
    }
}
