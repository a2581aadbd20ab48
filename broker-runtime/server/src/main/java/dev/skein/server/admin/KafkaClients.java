package dev.skein.server.admin;

import dev.skein.broker.Broker;
import dev.skein.server.BrokerLifecycle;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka clients the HTTP admin works through, connected to this broker's own Kafka listener. Going through the
 * protocol means the REST API validates exactly as the Kafka protocol path does (one implementation) and works on
 * any broker of a cluster, since the clients find controller, coordinators and leaders themselves.
 *
 * <p>The {@link Admin} and the producer are thread-safe and shared, created on first use and closed when the
 * application stops; consumers are not thread-safe, so each caller gets its own from {@link #newConsumer()} and closes
 * it. The shared clients close on shutdown before the broker stops (observer priority), so they do not keep
 * reconnecting to a listener that is gone.
 */
@ApplicationScoped
public class KafkaClients {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** How long a client call may wait for the broker before the HTTP request fails with 504. */
    static final int REQUEST_TIMEOUT_MS = 15_000;

    private final BrokerLifecycle lifecycle;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;

    @Inject
    public KafkaClients(BrokerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap(),
                    AdminClientConfig.CLIENT_ID_CONFIG,
                    "skein-rest-admin",
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    REQUEST_TIMEOUT_MS,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    REQUEST_TIMEOUT_MS));
        }
        return admin;
    }

    public synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            bootstrap(),
                            ProducerConfig.CLIENT_ID_CONFIG,
                            "skein-rest-producer",
                            ProducerConfig.LINGER_MS_CONFIG,
                            0,
                            ProducerConfig.MAX_BLOCK_MS_CONFIG,
                            REQUEST_TIMEOUT_MS,
                            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                            REQUEST_TIMEOUT_MS,
                            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                            REQUEST_TIMEOUT_MS),
                    new ByteArraySerializer(),
                    new ByteArraySerializer());
        }
        return producer;
    }

    /**
     * A consumer without group and without auto commit, fetching at most {@code maxFetchBytes} per request (so a
     * browse does not pull 50 MiB it will not return); the caller assigns partitions and closes it.
     */
    public KafkaConsumer<byte[], byte[]> newConsumer(int maxFetchBytes) {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                        maxFetchBytes,
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                        maxFetchBytes,
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap(),
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        "skein-rest-reader",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "none",
                        ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        REQUEST_TIMEOUT_MS,
                        ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        REQUEST_TIMEOUT_MS),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    /**
     * Waits for {@code future} and returns its value, rethrowing the Kafka exception it failed with (so that
     * {@link ProblemMapper} can map it to a status).
     */
    public static <T> T await(KafkaFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new KafkaException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while waiting for the broker", e);
        }
    }

    private String bootstrap() {
        Broker broker = lifecycle
                .broker()
                .orElseThrow(() -> new BrokerNotAvailableException("The broker is not running (starting or stopping)"));
        String host = broker.config().listener().host();
        boolean wildcard = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::");
        return (wildcard ? "localhost" : host) + ":" + broker.port();
    }

    synchronized void close(@Observes @Priority(Interceptor.Priority.APPLICATION) ShutdownEvent event) {
        if (producer != null) {
            producer.close(CLOSE_TIMEOUT);
            producer = null;
        }
        if (admin != null) {
            admin.close(CLOSE_TIMEOUT);
            admin = null;
        }
    }
}
