package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.log.LogConfig;
import dev.skein.broker.partition.TopicAdmin;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The rules AlterConfigs and IncrementalAlterConfigs share: only topic configs change at run time (broker
 * configuration is static: INVALID_REQUEST naming the restart it needs), the topic must exist, only topic configs may
 * be named, and a topic's new set of overrides is validated as a whole before it is stored in ZooKeeper (and applied
 * to the local logs). Writes to ZooKeeper, so it runs on the {@link AdminLane}.
 */
final class TopicConfigChanges {
    private final MetadataStore metadata;
    private final TopicAdmin topics;

    TopicConfigChanges(MetadataStore metadata, TopicAdmin topics) {
        this.metadata = metadata;
        this.topics = topics;
    }

    /**
     * The topic a config resource names.
     *
     * @throws InvalidRequestException for a resource other than a topic
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     */
    TopicDescription topic(byte resourceType, String resourceName) {
        if (ConfigResource.Type.forId(resourceType) != ConfigResource.Type.TOPIC) {
            throw new InvalidRequestException("Only topic configs can be altered at run time; broker configs are "
                    + "static (set them in the properties file and restart)");
        }
        Optional<TopicDescription> topic = metadata.topic(resourceName);
        if (topic.isEmpty()) {
            throw new UnknownTopicOrPartitionException("Topic '" + resourceName + "' does not exist");
        }
        return topic.get();
    }

    /** @throws InvalidConfigurationException if {@code name} is not a topic config */
    static void requireTopicConfig(String name) {
        if (!LogConfig.TOPIC_CONFIG.contains(name)) {
            throw new InvalidConfigurationException("Unknown topic config '" + name + "'");
        }
    }

    /**
     * Validates {@code overrides} as the topic's whole new set of overrides and, unless {@code validateOnly}, stores it.
     *
     * @throws InvalidConfigurationException (INVALID_CONFIG) naming the key
     */
    void replace(TopicDescription topic, Map<String, String> overrides, boolean validateOnly) {
        topics.validateClientConfigs(topic.name(), topic.configs(), overrides);
        if (!validateOnly) {
            topics.setConfigs(topic.name(), overrides);
        }
    }
}
