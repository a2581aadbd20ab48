package dev.skein.operator.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * {@link ReplicaPlacements} read with the Kafka Admin client: list every topic (internal ones too), describe them.
 * Each call opens its own short-lived Admin client and closes it, so nothing is held between reconciliations; each
 * of its two requests is bounded by {@link #TIMEOUT}. Thread-safe (stateless).
 */
@ApplicationScoped
public class KafkaReplicaPlacements implements ReplicaPlacements {
    static final Duration TIMEOUT = Duration.ofSeconds(8);

    @Override
    public Map<String, List<Integer>> read(String bootstrapServers)
            throws BrokersUnreachableException, InterruptedException {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT.toMillis()));
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, "4000");
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "skein-operator-scale-down-guard");
        try (Admin admin = Admin.create(props)) {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true))
                    .names()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, TopicDescription> topics =
                    admin.describeTopics(names).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, List<Integer>> placement = new TreeMap<>();
            topics.values().forEach(topic -> {
                for (TopicPartitionInfo p : topic.partitions()) {
                    List<Integer> ids = new ArrayList<>();
                    for (Node replica : p.replicas()) {
                        ids.add(replica.id());
                    }
                    placement.put(topic.name() + "-" + p.partition(), ids);
                }
            });
            return placement;
        } catch (ExecutionException e) {
            throw new BrokersUnreachableException(
                    "cannot describe topics at " + bootstrapServers + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new BrokersUnreachableException(
                    "brokers at " + bootstrapServers + " did not answer within " + TIMEOUT.toSeconds() + " s", e);
        }
    }
}
