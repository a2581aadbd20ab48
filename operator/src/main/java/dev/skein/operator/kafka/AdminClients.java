package dev.skein.operator.kafka;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One Kafka {@link Admin} client per bootstrap address, created on first use and closed when the application stops.
 * Admin clients are thread-safe and reconnect by themselves, so reconcilers of any resource share them. Every client
 * uses {@link KafkaConnectionConfig#adminTimeout()} as its request and API timeout, so no call outlives it.
 *
 * <p>Creating a client fails with a {@link org.apache.kafka.common.KafkaException} when the bootstrap host does not
 * resolve (e.g. the cluster's Service does not exist yet); nothing is cached then and the next call tries again.
 */
@ApplicationScoped
public class AdminClients {
    private final KafkaConnectionConfig config;
    private final Map<String, Admin> clients = new ConcurrentHashMap<>();

    @Inject
    public AdminClients(KafkaConnectionConfig config) {
        this.config = config;
    }

    /** The shared Admin client for {@code bootstrapServers}. */
    public Admin forBootstrap(String bootstrapServers) {
        return clients.computeIfAbsent(bootstrapServers, this::create);
    }

    /** The per-call timeout every client is configured with. */
    public Duration timeout() {
        return config.adminTimeout();
    }

    private Admin create(String bootstrapServers) {
        int timeoutMs = Math.toIntExact(config.adminTimeout().toMillis());
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "skein-operator");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        // reconnect quickly once a restarted broker is back; the reconciler's own backoff paces the calls
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return Admin.create(props);
    }

    @PreDestroy
    void closeAll() {
        clients.values().forEach(admin -> admin.close(Duration.ofSeconds(5)));
        clients.clear();
    }
}
