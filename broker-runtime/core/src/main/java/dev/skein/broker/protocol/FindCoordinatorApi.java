package dev.skein.broker.protocol;

import dev.skein.broker.cluster.BrokerRegistration;
import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.group.GroupConfig;
import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.partition.TopicAdmin;
import dev.skein.broker.txn.coordinator.TransactionConfig;
import dev.skein.broker.txn.coordinator.TransactionCoordinator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FindCoordinator v0-6 (batched keys from v4): a group's coordinator is the leader of its {@code __consumer_offsets}
 * partition. The topic is created on the first lookup, as Kafka does, with {@code offsets.topic.num.partitions}
 * partitions, {@code cleanup.policy=compact} and a replication factor of {@code offsets.topic.replication.factor}
 * capped at the number of live brokers (Kafka would refuse to create it with fewer brokers; a single-node Skein
 * should work out of the box). A transactional id's coordinator is the leader of its {@code __transaction_state}
 * partition, created likewise on the first lookup ({@code transaction.state.log.*}: partitions, replication factor
 * capped at the live brokers, {@code min.insync.replicas} capped at that factor, compacted), but in the background:
 * the lookup answers COORDINATOR_NOT_AVAILABLE meanwhile and the client asks again, so no request thread waits for
 * the ZooKeeper writes.
 */
final class FindCoordinatorApi implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(FindCoordinatorApi.class);

    private final MetadataStore metadata;
    private final TopicAdmin topicAdmin;
    private final GroupCoordinator coordinator;
    private final GroupConfig config;
    private final TransactionCoordinator transactions;
    private final TransactionConfig transactionConfig;
    private final AtomicBoolean creatingStateTopic = new AtomicBoolean();

    FindCoordinatorApi(
            MetadataStore metadata,
            TopicAdmin topicAdmin,
            GroupCoordinator coordinator,
            GroupConfig config,
            TransactionCoordinator transactions,
            TransactionConfig transactionConfig) {
        this.metadata = metadata;
        this.topicAdmin = topicAdmin;
        this.coordinator = coordinator;
        this.config = config;
        this.transactions = transactions;
        this.transactionConfig = transactionConfig;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        FindCoordinatorRequest find = (FindCoordinatorRequest) request;
        byte keyType = find.data().keyType();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (context.apiVersion() >= 4) {
            for (String key : find.data().coordinatorKeys()) {
                response.coordinators().add(lookup(key, keyType).setKey(key));
            }
        } else {
            Coordinator c = lookup(find.data().key(), keyType);
            response.setErrorCode(c.errorCode())
                    .setNodeId(c.nodeId())
                    .setHost(c.host())
                    .setPort(c.port());
            if (context.apiVersion() >= 1) {
                response.setErrorMessage(c.errorMessage());
            }
        }
        return CompletableFuture.completedFuture(new FindCoordinatorResponse(response));
    }

    private Coordinator lookup(String key, byte keyType) {
        if (keyType == FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()) {
            if (key == null || key.isEmpty()) {
                return error(Errors.INVALID_REQUEST, "empty transactional id");
            }
            Optional<TopicDescription> topic = metadata.topic(Topic.TRANSACTION_STATE_TOPIC_NAME);
            if (topic.isEmpty()) {
                if (creatingStateTopic.compareAndSet(false, true)) {
                    transactions.backgroundExecutor().execute(() -> {
                        try {
                            transactionStateTopic();
                        } finally {
                            creatingStateTopic.set(false);
                        }
                    });
                }
                return error(Errors.COORDINATOR_NOT_AVAILABLE, "the transaction state topic is being created");
            }
            return leaderOf(topic.get(), transactions.partitionFor(key));
        }
        if (keyType != FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
            return error(Errors.INVALID_REQUEST, "unknown coordinator key type " + keyType);
        }
        Optional<TopicDescription> topic = offsetsTopic();
        if (topic.isEmpty()) {
            return error(Errors.COORDINATOR_NOT_AVAILABLE, "the offsets topic could not be created");
        }
        return leaderOf(topic.get(), coordinator.partitionFor(key));
    }

    private Coordinator leaderOf(TopicDescription topic, int partition) {
        PartitionState state = topic.partitions().get(partition);
        if (state == null || state.leader() < 0) {
            return error(Errors.COORDINATOR_NOT_AVAILABLE, "no leader for " + topic.name());
        }
        for (BrokerRegistration broker : metadata.liveBrokers()) {
            if (broker.id() == state.leader()) {
                return new Coordinator()
                        .setErrorCode(Errors.NONE.code())
                        .setNodeId(broker.id())
                        .setHost(broker.host())
                        .setPort(broker.port());
            }
        }
        return error(Errors.COORDINATOR_NOT_AVAILABLE, "the coordinator broker is not available");
    }

    private Optional<TopicDescription> offsetsTopic() {
        Optional<TopicDescription> existing = metadata.topic(Topic.GROUP_METADATA_TOPIC_NAME);
        if (existing.isPresent()) {
            return existing;
        }
        short replicationFactor = (short) Math.max(
                1,
                Math.min(
                        config.offsetsTopicReplicationFactor(),
                        metadata.liveBrokers().size()));
        try {
            return Optional.of(topicAdmin.create(
                    Topic.GROUP_METADATA_TOPIC_NAME,
                    config.offsetsTopicPartitions(),
                    replicationFactor,
                    Map.of(
                            "cleanup.policy",
                            "compact",
                            "segment.bytes",
                            Integer.toString(config.offsetsTopicSegmentBytes()))));
        } catch (TopicExistsException e) {
            return metadata.topic(Topic.GROUP_METADATA_TOPIC_NAME);
        } catch (RuntimeException e) {
            log.warn("Cannot create {}: {}", Topic.GROUP_METADATA_TOPIC_NAME, e.toString());
            return Optional.empty();
        }
    }

    private Optional<TopicDescription> transactionStateTopic() {
        String name = Topic.TRANSACTION_STATE_TOPIC_NAME;
        Optional<TopicDescription> existing = metadata.topic(name);
        if (existing.isPresent()) {
            return existing;
        }
        short replicationFactor = (short) Math.max(
                1,
                Math.min(
                        transactionConfig.stateLogReplicationFactor(),
                        metadata.liveBrokers().size()));
        int minIsr = Math.max(1, Math.min(transactionConfig.stateLogMinIsr(), replicationFactor));
        try {
            return Optional.of(topicAdmin.create(
                    name,
                    transactionConfig.stateLogPartitions(),
                    replicationFactor,
                    Map.of(
                            "cleanup.policy",
                            "compact",
                            "unclean.leader.election.enable",
                            "false",
                            "min.insync.replicas",
                            Integer.toString(minIsr),
                            "segment.bytes",
                            Integer.toString(transactionConfig.stateLogSegmentBytes()))));
        } catch (TopicExistsException e) {
            return metadata.topic(name);
        } catch (RuntimeException e) {
            log.warn("Cannot create {}: {}", name, e.toString());
            return Optional.empty();
        }
    }

    private static Coordinator error(Errors error, String message) {
        return new Coordinator()
                .setErrorCode(error.code())
                .setErrorMessage(message)
                .setNodeId(-1)
                .setHost("")
                .setPort(-1);
    }
}
