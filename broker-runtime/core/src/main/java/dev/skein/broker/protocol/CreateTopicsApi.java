package dev.skein.broker.protocol;

import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.partition.TopicAdmin;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;

/**
 * CreateTopics, including {@code validateOnly}. Each topic succeeds or fails on its own with Kafka's error codes
 * (TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG).
 * Partition counts over {@code skein.max.partitions.per.request} (all topics of the request together) or
 * {@code skein.max.partitions.per.broker} get POLICY_VIOLATION, as Kafka's controller answers an excessively large
 * request, before anything proportional to the count is allocated.
 * Manual replica assignments are refused with INVALID_REPLICA_ASSIGNMENT: replicas are placed by the broker.
 */
final class CreateTopicsApi implements ApiHandler {
    private final TopicAdmin topics;
    private final ConfigDescriber configs;

    CreateTopicsApi(TopicAdmin topics, ConfigDescriber configs) {
        this.topics = topics;
        this.configs = configs;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        CreateTopicsRequest create = (CreateTopicsRequest) request;
        boolean validateOnly = create.data().validateOnly();
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        long requestPartitions = 0;
        for (CreatableTopic topic : create.data().topics()) {
            CreatableTopicResult result = new CreatableTopicResult().setName(topic.name());
            try {
                requestPartitions += Math.max(0, topics.effectivePartitions(topic.numPartitions()));
                topics.checkRequestPartitions(requestPartitions);
                create(topic, validateOnly, create.data().timeoutMs(), result);
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code())
                        .setErrorMessage(e.getMessage())
                        .setTopicConfigErrorCode(Errors.forException(e).code());
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(new CreateTopicsResponse(response));
    }

    private void create(CreatableTopic topic, boolean validateOnly, int timeoutMs, CreatableTopicResult result) {
        Topic.validate(topic.name());
        if (Topic.isInternal(topic.name())) {
            // Kafka refuses __cluster_metadata so; Skein reserves every internal topic to the broker, which creates
            // them with the settings their coordinators need.
            throw new InvalidRequestException(
                    "Creation of internal topic " + topic.name() + " is reserved to the broker");
        }
        if (!topic.assignments().isEmpty()) {
            throw new InvalidReplicaAssignmentException("Manual replica assignment is not supported; omit it and "
                    + "give numPartitions and replicationFactor");
        }
        if (topic.numPartitions() == 0 || topic.numPartitions() < -1) {
            throw new InvalidPartitionsException("Number of partitions must be at least 1 (or -1 for the default)");
        }
        if (topic.replicationFactor() == 0 || topic.replicationFactor() < -1) {
            throw new InvalidReplicationFactorException(
                    "Replication factor must be at least 1 (or -1 for the default)");
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        for (CreatableTopicConfig config : topic.configs()) {
            overrides.put(config.name(), config.value());
        }
        topics.validateClientConfigs(topic.name(), Map.of(), overrides);
        topics.checkBrokerPartitions(
                topics.effectivePartitions(topic.numPartitions()),
                topics.effectiveReplicationFactor(topic.replicationFactor()));
        if (validateOnly) {
            if (topics.exists(topic.name())) {
                throw new TopicExistsException("Topic '" + topic.name() + "' already exists.");
            }
            result.setNumPartitions(topics.effectivePartitions(topic.numPartitions()))
                    .setReplicationFactor(topics.effectiveReplicationFactor(topic.replicationFactor()));
            return;
        }
        if (timeoutMs <= 0) {
            // Kafka 4.4's controller drops an operation whose deadline passed before it ran: nothing is created
            // (KafkaDifferentialIT case create-topic-timeout-0).
            throw new TimeoutException("CreateTopics timeoutMs " + timeoutMs + " elapsed before the creation started");
        }
        TopicDescription created =
                topics.create(topic.name(), topic.numPartitions(), topic.replicationFactor(), overrides);
        result.setTopicId(created.topicId())
                .setNumPartitions(created.partitions().size())
                .setReplicationFactor(
                        (short) created.partitions().get(0).replicas().size());
        for (ConfigDescriber.Entry entry : configs.topic(overrides)) {
            result.configs()
                    .add(new CreateTopicsResponseData.CreatableTopicConfigs()
                            .setName(entry.name())
                            .setValue(entry.value())
                            .setConfigSource(entry.source().id())
                            .setReadOnly(false)
                            .setIsSensitive(false));
        }
    }
}
