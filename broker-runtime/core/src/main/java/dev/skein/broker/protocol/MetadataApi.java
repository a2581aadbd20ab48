package dev.skein.broker.protocol;

import dev.skein.broker.cluster.BrokerRegistration;
import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.partition.TopicAdmin;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;

/**
 * Metadata: live brokers, cluster id, controller and per-topic partition leadership with topic ids, served from the
 * in-memory ZooKeeper cache. Unknown topics are created when both the client and {@code auto.create.topics.enable}
 * allow it.
 */
final class MetadataApi implements ApiHandler {
    private final MetadataStore metadata;
    private final TopicAdmin topicAdmin;
    private final boolean autoCreateTopics;
    private final String clusterId;
    private final IntSupplier controllerId;

    MetadataApi(
            MetadataStore metadata,
            TopicAdmin topicAdmin,
            boolean autoCreateTopics,
            String clusterId,
            IntSupplier controllerId) {
        this.metadata = metadata;
        this.topicAdmin = topicAdmin;
        this.autoCreateTopics = autoCreateTopics;
        this.clusterId = clusterId;
        this.controllerId = controllerId;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        MetadataRequest metadataRequest = (MetadataRequest) request;
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(clusterId)
                .setControllerId(controllerId.getAsInt())
                .setClusterAuthorizedOperations(MetadataResponse.AUTHORIZED_OPERATIONS_OMITTED);
        for (BrokerRegistration broker : metadata.liveBrokers()) {
            response.brokers()
                    .add(new MetadataResponseBroker()
                            .setNodeId(broker.id())
                            .setHost(broker.host())
                            .setPort(broker.port())
                            .setRack(broker.rack()));
        }
        Set<Integer> live = new HashSet<>();
        metadata.liveBrokers().forEach(b -> live.add(b.id()));
        if (metadataRequest.isAllTopics()) {
            for (TopicDescription topic : metadata.topics()) {
                response.topics().add(describe(topic, live));
            }
        } else {
            boolean allowCreate = metadataRequest.data().allowAutoTopicCreation() && autoCreateTopics;
            for (MetadataRequestTopic wanted : requestedTopics(metadataRequest)) {
                response.topics().add(lookup(wanted, allowCreate, live));
            }
        }
        return CompletableFuture.completedFuture(new MetadataResponse(response, context.apiVersion()));
    }

    /**
     * Whether serving {@code request} may create a topic, and so write to ZooKeeper ({@link AdminLane}): it names a
     * topic this broker does not know, and both the client and {@code auto.create.topics.enable} allow creating it.
     */
    boolean mayCreateTopics(AbstractRequest request) {
        MetadataRequest metadataRequest = (MetadataRequest) request;
        if (metadataRequest.isAllTopics() || !metadataRequest.data().allowAutoTopicCreation() || !autoCreateTopics) {
            return false;
        }
        for (MetadataRequestTopic wanted : requestedTopics(metadataRequest)) {
            if (wanted.name() != null
                    && !Topic.isInternal(wanted.name())
                    && metadata.topic(wanted.name()).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static Collection<MetadataRequestTopic> requestedTopics(MetadataRequest request) {
        return request.data().topics() == null ? List.of() : request.data().topics();
    }

    private MetadataResponseTopic lookup(MetadataRequestTopic wanted, boolean allowCreate, Set<Integer> live) {
        if (wanted.name() == null) {
            Uuid id = wanted.topicId();
            return metadata.topic(id).map(t -> describe(t, live)).orElseGet(() -> new MetadataResponseTopic()
                    .setTopicId(id)
                    .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        String name = wanted.name();
        Optional<TopicDescription> topic = metadata.topic(name);
        if (topic.isPresent()) {
            return describe(topic.get(), live);
        }
        // Internal topics are created by the broker with their coordinators' settings (FindCoordinator), never here.
        return allowCreate && !Topic.isInternal(name)
                ? autoCreate(name, live)
                : error(name, Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    /**
     * Creates a topic a client asked for. A concurrent creation by another client is not an error: the topic just
     * is not in this broker's cache yet, so the client gets the retriable LEADER_NOT_AVAILABLE and asks again.
     */
    private MetadataResponseTopic autoCreate(String name, Set<Integer> live) {
        try {
            return describe(topicAdmin.create(name, -1, (short) -1, Map.of()), live);
        } catch (TopicExistsException e) {
            return metadata.topic(name)
                    .map(t -> describe(t, live))
                    .orElseGet(() -> error(name, Errors.LEADER_NOT_AVAILABLE));
        } catch (ApiException e) {
            return error(name, Errors.forException(e));
        }
    }

    private static MetadataResponseTopic error(String name, Errors error) {
        return new MetadataResponseTopic().setName(name).setErrorCode(error.code());
    }

    private static MetadataResponseTopic describe(TopicDescription topic, Set<Integer> live) {
        MetadataResponseTopic out = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.topicId())
                .setIsInternal(Topic.isInternal(topic.name()))
                .setTopicAuthorizedOperations(MetadataResponse.AUTHORIZED_OPERATIONS_OMITTED);
        for (PartitionState state : topic.partitions().values()) {
            List<Integer> offline = new ArrayList<>();
            for (int replica : state.replicas()) {
                if (!live.contains(replica)) {
                    offline.add(replica);
                }
            }
            boolean leaderLive = live.contains(state.leader());
            out.partitions()
                    .add(new MetadataResponsePartition()
                            .setPartitionIndex(state.partition())
                            .setErrorCode(leaderLive ? Errors.NONE.code() : Errors.LEADER_NOT_AVAILABLE.code())
                            .setLeaderId(leaderLive ? state.leader() : MetadataResponse.NO_LEADER_ID)
                            .setLeaderEpoch(state.leaderEpoch())
                            .setReplicaNodes(state.replicas())
                            .setIsrNodes(state.isr())
                            .setOfflineReplicas(offline));
        }
        return out;
    }
}
