package dev.skein.operator.topic;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DeleteTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The topic operations the reconciler needs, on one broker cluster through a shared {@link Admin} client. Every call
 * is bounded by the timeout (the Admin call's own timeout, and the wait for its result), so a reconciliation never
 * waits longer than that on an unreachable broker; failures surface as {@link ExecutionException} (the broker's
 * error, or the Admin client's {@link org.apache.kafka.common.errors.TimeoutException}) or {@link TimeoutException}.
 * Thread-safe as the Admin client is.
 */
final class BrokerTopics {
    private final Admin admin;
    private final Duration timeout;

    BrokerTopics(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /** The topic as the broker has it, or empty when it does not exist. */
    Optional<ObservedTopic> describe(String name) throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription description;
        try {
            description = await(admin.describeTopics(List.of(name), new DescribeTopicsOptions().timeoutMs(timeoutMs()))
                            .allTopicNames())
                    .get(name);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
        int replicationFactor = description.partitions().stream()
                .mapToInt(partition -> partition.replicas().size())
                .max()
                .orElse(0);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        Config config = await(
                        admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().timeoutMs(timeoutMs()))
                                .all())
                .get(resource);
        Map<String, String> overrides = config.entries().stream()
                .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .filter(entry -> entry.value() != null)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
        return Optional.of(new ObservedTopic(
                name, description.topicId().toString(), description.partitions().size(), replicationFactor, overrides));
    }

    /** Creates the topic and returns its id. */
    String create(DesiredTopic desired) throws ExecutionException, InterruptedException, TimeoutException {
        NewTopic topic =
                new NewTopic(desired.name(), desired.partitions(), desired.replicas()).configs(desired.config());
        CreateTopicsResult result =
                admin.createTopics(List.of(topic), new CreateTopicsOptions().timeoutMs(timeoutMs()));
        await(result.all());
        return await(result.topicId(desired.name())).toString();
    }

    /** Grows the topic to {@code totalPartitions} partitions. */
    void growPartitions(String name, int totalPartitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        await(admin.createPartitions(
                        Map.of(name, NewPartitions.increaseTo(totalPartitions)),
                        new CreatePartitionsOptions().timeoutMs(timeoutMs()))
                .all());
    }

    /** Applies config SET/DELETE operations to the topic. */
    void alterConfigs(String name, List<AlterConfigOp> changes)
            throws ExecutionException, InterruptedException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        await(admin.incrementalAlterConfigs(Map.of(resource, changes), new AlterConfigsOptions().timeoutMs(timeoutMs()))
                .all());
    }

    /** Deletes the topic; true when it was deleted, false when it did not exist. */
    boolean delete(String name) throws ExecutionException, InterruptedException, TimeoutException {
        try {
            await(admin.deleteTopics(List.of(name), new DeleteTopicsOptions().timeoutMs(timeoutMs()))
                    .all());
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    private int timeoutMs() {
        return Math.toIntExact(timeout.toMillis());
    }

    /** Waits for the Admin result a little longer than the Admin call's own timeout, which normally fires first. */
    private <T> T await(KafkaFuture<T> future) throws ExecutionException, InterruptedException, TimeoutException {
        return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    }
}
