package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.ProducerIdBlocks;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.group.GroupConfig;
import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.metrics.BrokerMetrics;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.partition.Purgatory;
import dev.skein.broker.partition.ReplicationWaits;
import dev.skein.broker.partition.TopicAdmin;
import dev.skein.broker.txn.TransactionMarkerListener;
import dev.skein.broker.txn.TransactionVerifier;
import dev.skein.broker.txn.coordinator.LocalMarkerWriter;
import dev.skein.broker.txn.coordinator.TransactionCoordinator;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Assembles the request dispatcher: which handler serves which API, and which of them run on the {@link AdminLane}
 * ({@link ApiHandler} states the rule). With {@link AdminLane}, the only public entry to this package.
 */
public final class KafkaApis {
    /** How long a transaction marker waits for the in-sync replicas (Kafka's default {@code request.timeout.ms}). */
    private static final long MARKER_TIMEOUT_MS = 30_000;

    private KafkaApis() {}

    /**
     * This broker's side of WriteTxnMarkers, for its own transaction coordinator to call without a request (the same
     * appends, replication waits and listener calls as the handler the dispatcher serves).
     */
    public static LocalMarkerWriter localMarkerWriter(
            PartitionRegistry partitions, Purgatory producePurgatory, TransactionMarkerListener markerListener) {
        return new WriteTxnMarkersApi(
                new LeaderLookup(partitions),
                new ReplicationWaits(producePurgatory),
                markerListener,
                MARKER_TIMEOUT_MS);
    }

    public static RequestDispatcher dispatcher(
            BrokerConfig config,
            MetadataStore metadata,
            PartitionRegistry partitions,
            TopicAdmin topicAdmin,
            Purgatory fetchPurgatory,
            Purgatory producePurgatory,
            ProducerIdBlocks producerIds,
            String clusterId,
            IntSupplier controllerId,
            GroupCoordinator groups,
            BrokerMetrics metrics,
            AdminLane admin,
            TransactionCoordinator transactions,
            TransactionVerifier transactionVerifier,
            TransactionMarkerListener markerListener) {
        LeaderLookup leaders = new LeaderLookup(partitions);
        ConfigDescriber describer = new ConfigDescriber(config);
        Map<ApiKeys, ApiHandler> handlers = new EnumMap<>(ApiKeys.class);
        handlers.put(
                ApiKeys.PRODUCE,
                new ProduceApi(
                        metadata,
                        partitions,
                        config.durableAck(),
                        metrics,
                        new ReplicationWaits(producePurgatory),
                        producerIds,
                        transactionVerifier));
        handlers.put(
                ApiKeys.FETCH,
                new FetchApi(metadata::topicNamesById, partitions, fetchPurgatory, metrics, config.fetchMaxWaitMs()));
        handlers.put(ApiKeys.LIST_OFFSETS, new ListOffsetsApi(leaders));
        MetadataApi metadataApi =
                new MetadataApi(metadata, topicAdmin, config.autoCreateTopics(), clusterId, controllerId);
        handlers.put(ApiKeys.METADATA, admin.when(metadataApi::mayCreateTopics, metadataApi));
        handlers.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochApi(leaders));
        handlers.put(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdApi(producerIds, transactions));
        handlers.put(ApiKeys.CREATE_TOPICS, admin.always(new CreateTopicsApi(topicAdmin, describer)));
        handlers.put(
                ApiKeys.DELETE_TOPICS,
                admin.always(new DeleteTopicsApi(metadata, topicAdmin, config.deleteTopicEnable())));
        handlers.put(ApiKeys.CREATE_PARTITIONS, admin.always(new CreatePartitionsApi(metadata, topicAdmin)));
        handlers.put(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsApi(metadata, describer, config.brokerId()));
        TopicConfigChanges configChanges = new TopicConfigChanges(metadata, topicAdmin);
        handlers.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, admin.always(new IncrementalAlterConfigsApi(configChanges)));
        handlers.put(ApiKeys.ELECT_LEADERS, admin.always(new ElectLeadersApi(metadata, admin.executor())));
        ApiHandler reassignments = admin.always(new PartitionReassignmentsApi(metadata));
        handlers.put(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, reassignments);
        handlers.put(ApiKeys.LIST_PARTITION_REASSIGNMENTS, reassignments);
        handlers.put(ApiKeys.ALTER_CONFIGS, admin.always(new AlterConfigsApi(configChanges)));
        handlers.put(ApiKeys.DESCRIBE_LOG_DIRS, new DescribeLogDirsApi(partitions, config.dataDir()));
        handlers.put(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterApi(metadata, clusterId, controllerId));
        GroupConfig groupConfig = config.groupConfig();
        // FindCoordinator creates the offsets topic (a ZooKeeper write) when it does not exist yet
        handlers.put(
                ApiKeys.FIND_COORDINATOR,
                admin.when(
                        request ->
                                metadata.topic(Topic.GROUP_METADATA_TOPIC_NAME).isEmpty(),
                        new FindCoordinatorApi(
                                metadata, topicAdmin, groups, groupConfig, transactions, config.transactionConfig())));
        handlers.put(ApiKeys.JOIN_GROUP, new JoinGroupApi(groups));
        handlers.put(ApiKeys.SYNC_GROUP, new SyncGroupApi(groups));
        handlers.put(ApiKeys.HEARTBEAT, new HeartbeatApi(groups));
        handlers.put(ApiKeys.LEAVE_GROUP, new LeaveGroupApi(groups));
        handlers.put(ApiKeys.OFFSET_COMMIT, new OffsetCommitApi(metadata, groups));
        handlers.put(ApiKeys.OFFSET_FETCH, new OffsetFetchApi(metadata, groups));
        handlers.put(ApiKeys.TXN_OFFSET_COMMIT, new TxnOffsetCommitApi(metadata, groups, transactionVerifier));
        handlers.put(ApiKeys.OFFSET_DELETE, new OffsetDeleteApi(groups));
        handlers.put(ApiKeys.DESCRIBE_GROUPS, new DescribeGroupsApi(groups));
        handlers.put(ApiKeys.LIST_GROUPS, new ListGroupsApi(groups));
        handlers.put(ApiKeys.DELETE_GROUPS, new DeleteGroupsApi(groups));
        handlers.put(ApiKeys.DELETE_RECORDS, new DeleteRecordsApi(leaders));
        handlers.put(ApiKeys.DESCRIBE_PRODUCERS, new DescribeProducersApi(leaders));
        handlers.put(
                ApiKeys.WRITE_TXN_MARKERS,
                new WriteTxnMarkersApi(
                        leaders, new ReplicationWaits(producePurgatory), markerListener, MARKER_TIMEOUT_MS));
        handlers.put(ApiKeys.ADD_PARTITIONS_TO_TXN, new AddPartitionsToTxnApi(metadata, transactions));
        handlers.put(ApiKeys.ADD_OFFSETS_TO_TXN, new AddOffsetsToTxnApi(transactions, groups));
        handlers.put(ApiKeys.END_TXN, new EndTxnApi(transactions));
        handlers.put(ApiKeys.DESCRIBE_TRANSACTIONS, new DescribeTransactionsApi(transactions.views()));
        handlers.put(ApiKeys.LIST_TRANSACTIONS, new ListTransactionsApi(transactions.views()));
        return new RequestDispatcher(new SupportedApis(handlers), metrics);
    }
}
