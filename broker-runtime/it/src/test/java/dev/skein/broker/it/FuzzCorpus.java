package dev.skein.broker.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * Valid requests with randomized (but valid) field values, built with kafka-clients' generated message classes and
 * serialized with the header version the API version calls for. The data-path, topic-admin and group APIs get
 * dedicated builders that aim at the fuzz topics and groups; every other API is its message class's default instance
 * (still a valid request, so the mutator starts from a well-formed frame). Deterministic in the {@link Random} given.
 */
final class FuzzCorpus {
    /** Topics the fuzzer aims at (created up front); the witness topic is deliberately not among them. */
    static final List<String> TOPICS = List.of("fuzz-a", "fuzz-b", "fuzz-c");
    /**
     * The topics valid DeleteTopics/CreateTopics inputs aim at: only the last fuzz topic churns, so the others keep
     * their logs (and any corruption in them) until the next scan.
     */
    private static final List<String> CHURN_TOPICS = List.of("fuzz-c", "fuzz-new");

    private static final List<String> GROUPS = List.of("fg-1", "fg-2", "");
    private static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    private final Map<String, Uuid> topicIds;

    /** @param topicIds the ids of {@link #TOPICS} on the broker under test (for versions that address by id) */
    FuzzCorpus(Map<String, Uuid> topicIds) {
        this.topicIds = topicIds;
    }

    /** One serialized request (header and body, without the 4-byte size prefix). */
    record Frame(ApiKeys key, short version, int headerSize, byte[] bytes) {}

    Frame build(ApiKeys key, short version, int correlationId, Random random) {
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(key.id)
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId(random.nextInt(8) == 0 ? null : "fuzz-" + random.nextInt(4));
        short headerVersion = key.requestHeaderVersion(version);
        ApiMessage body;
        try {
            body = message(key, version, random);
            return serialize(key, version, header, headerVersion, body);
        } catch (RuntimeException unsupportedAtThisVersion) {
            body = ApiMessageType.fromApiKey(key.id).newRequest();
            return serialize(key, version, header, headerVersion, body);
        }
    }

    private static Frame serialize(
            ApiKeys key, short version, RequestHeaderData header, short headerVersion, ApiMessage body) {
        int headerSize = new RequestHeader(header, headerVersion).size();
        java.nio.ByteBuffer buffer = RequestUtils.serialize(header, headerVersion, body, version);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new Frame(key, version, headerSize, bytes);
    }

    private ApiMessage message(ApiKeys key, short version, Random r) {
        return switch (key) {
            case PRODUCE -> produce(version, r);
            case FETCH -> fetch(version, r);
            case LIST_OFFSETS -> listOffsets(r);
            case METADATA -> metadata(r);
            case OFFSET_FOR_LEADER_EPOCH -> offsetForLeaderEpoch(r);
            case CREATE_TOPICS -> createTopics(r);
            case DELETE_TOPICS -> deleteTopics(version, r);
            case CREATE_PARTITIONS -> createPartitions(r);
            case DELETE_RECORDS -> deleteRecords(r);
            case DESCRIBE_CONFIGS -> describeConfigs(r);
            case INCREMENTAL_ALTER_CONFIGS -> alterConfigs(r);
            case FIND_COORDINATOR -> findCoordinator(version, r);
            case INIT_PRODUCER_ID -> new InitProducerIdRequestData()
                    .setTransactionalId(r.nextBoolean() ? null : "ftx-" + r.nextInt(3))
                    .setTransactionTimeoutMs(1000 + r.nextInt(60_000))
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1);
            case JOIN_GROUP -> joinGroup(r);
            case HEARTBEAT -> new HeartbeatRequestData()
                    .setGroupId(pick(GROUPS, r))
                    .setGenerationId(r.nextInt(3) - 1)
                    .setMemberId("m-" + r.nextInt(3));
            case OFFSET_COMMIT -> offsetCommit(r);
            case OFFSET_FETCH -> offsetFetch(version, r);
            default -> ApiMessageType.fromApiKey(key.id).newRequest();
        };
    }

    private ApiMessage produce(short version, Random r) {
        ProduceRequestData data = new ProduceRequestData()
                .setAcks(pick(List.of((short) -1, (short) 1, (short) 0), r))
                .setTimeoutMs(r.nextInt(900));
        int topics = 1 + r.nextInt(2);
        for (int t = 0; t < topics; t++) {
            String topic = pick(TOPICS, r);
            ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData();
            if (version >= 13) {
                topicData.setTopicId(topicIds.getOrDefault(topic, Uuid.ZERO_UUID));
            } else {
                topicData.setName(topic);
            }
            topicData
                    .partitionData()
                    .add(new ProduceRequestData.PartitionProduceData()
                            .setIndex(r.nextInt(3))
                            .setRecords(FuzzBatches.batch(r)));
            data.topicData().add(topicData);
        }
        return data;
    }

    private ApiMessage fetch(short version, Random r) {
        FetchRequestData data = new FetchRequestData()
                .setReplicaId(r.nextInt(10) == 0 ? r.nextInt(3) : -1)
                .setMaxWaitMs(r.nextInt(300))
                .setMinBytes(r.nextInt(3))
                .setMaxBytes(1 + r.nextInt(1 << 20))
                .setIsolationLevel((byte) r.nextInt(2));
        String topic = pick(TOPICS, r);
        FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic();
        if (version >= 13) {
            fetchTopic.setTopicId(topicIds.getOrDefault(topic, Uuid.ZERO_UUID));
        } else {
            fetchTopic.setTopic(topic);
        }
        fetchTopic
                .partitions()
                .add(new FetchRequestData.FetchPartition()
                        .setPartition(r.nextInt(4))
                        .setFetchOffset(r.nextInt(50))
                        .setPartitionMaxBytes(1 + r.nextInt(1 << 20)));
        data.topics().add(fetchTopic);
        return data;
    }

    private static ApiMessage listOffsets(Random r) {
        ListOffsetsRequestData.ListOffsetsTopic topic =
                new ListOffsetsRequestData.ListOffsetsTopic().setName(pick(TOPICS, r));
        topic.partitions()
                .add(new ListOffsetsRequestData.ListOffsetsPartition()
                        .setPartitionIndex(r.nextInt(4))
                        .setTimestamp(pick(List.of(-1L, -2L, -3L, 0L, 1_700_000_000_000L), r)));
        return new ListOffsetsRequestData().setReplicaId(-1).setTopics(new ArrayList<>(List.of(topic)));
    }

    private static ApiMessage metadata(Random r) {
        MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
        if (r.nextInt(4) == 0) {
            data.setTopics(null);
        } else {
            data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(pick(TOPICS, r)));
        }
        return data;
    }

    private static ApiMessage offsetForLeaderEpoch(Random r) {
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(pick(TOPICS, r));
        topic.partitions()
                .add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                        .setPartition(r.nextInt(4))
                        .setLeaderEpoch(r.nextInt(3))
                        .setCurrentLeaderEpoch(-1));
        topics.add(topic);
        return new OffsetForLeaderEpochRequestData().setReplicaId(-1).setTopics(topics);
    }

    private static ApiMessage createTopics(Random r) {
        CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic()
                .setName(pick(CHURN_TOPICS, r))
                .setNumPartitions(1 + r.nextInt(3))
                .setReplicationFactor((short) 1);
        if (r.nextBoolean()) {
            topic.configs()
                    .add(new CreateTopicsRequestData.CreatableTopicConfig()
                            .setName("compression.type")
                            .setValue(pick(COMPRESSIONS, r)));
        }
        CreateTopicsRequestData data =
                new CreateTopicsRequestData().setTimeoutMs(1000).setValidateOnly(r.nextBoolean());
        data.topics().add(topic);
        return data;
    }

    private static ApiMessage deleteTopics(short version, Random r) {
        String topic = pick(CHURN_TOPICS, r);
        DeleteTopicsRequestData data = new DeleteTopicsRequestData().setTimeoutMs(1000);
        if (version >= 6) {
            data.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(topic));
        } else {
            data.setTopicNames(new ArrayList<>(List.of(topic)));
        }
        return data;
    }

    private static ApiMessage createPartitions(Random r) {
        CreatePartitionsRequestData data =
                new CreatePartitionsRequestData().setTimeoutMs(1000).setValidateOnly(r.nextBoolean());
        data.topics()
                .add(new CreatePartitionsRequestData.CreatePartitionsTopic()
                        .setName(pick(TOPICS, r))
                        .setCount(2 + r.nextInt(3))
                        .setAssignments(null));
        return data;
    }

    private static ApiMessage deleteRecords(Random r) {
        DeleteRecordsRequestData.DeleteRecordsTopic topic =
                new DeleteRecordsRequestData.DeleteRecordsTopic().setName(pick(TOPICS, r));
        topic.partitions()
                .add(new DeleteRecordsRequestData.DeleteRecordsPartition()
                        .setPartitionIndex(r.nextInt(3))
                        .setOffset(r.nextInt(20) - 1));
        DeleteRecordsRequestData data = new DeleteRecordsRequestData().setTimeoutMs(1000);
        data.topics().add(topic);
        return data;
    }

    private static ApiMessage describeConfigs(Random r) {
        DescribeConfigsRequestData data = new DescribeConfigsRequestData();
        data.resources()
                .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                        .setResourceType(r.nextBoolean() ? (byte) 2 : (byte) 4)
                        .setResourceName(r.nextBoolean() ? pick(TOPICS, r) : "0"));
        return data;
    }

    private static ApiMessage alterConfigs(Random r) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType((byte) 2)
                        .setResourceName(pick(TOPICS, r));
        resource.configs()
                .add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                        .setName(r.nextBoolean() ? "retention.ms" : "max.message.bytes")
                        .setConfigOperation((byte) r.nextInt(2))
                        .setValue(String.valueOf(100_000 + r.nextInt(10_000_000))));
        IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData().setValidateOnly(true);
        data.resources().add(resource);
        return data;
    }

    private static ApiMessage findCoordinator(short version, Random r) {
        FindCoordinatorRequestData data = new FindCoordinatorRequestData().setKeyType((byte) 0);
        if (version >= 4) {
            data.setCoordinatorKeys(new ArrayList<>(List.of(pick(GROUPS, r))));
        } else {
            data.setKey(pick(GROUPS, r));
        }
        return data;
    }

    private static ApiMessage joinGroup(Random r) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol()
                .setName("range")
                .setMetadata("meta".getBytes(StandardCharsets.UTF_8)));
        return new JoinGroupRequestData()
                .setGroupId(pick(GROUPS, r))
                .setSessionTimeoutMs(6000 + r.nextInt(1000))
                .setRebalanceTimeoutMs(500 + r.nextInt(500))
                .setMemberId("")
                .setProtocolType("consumer")
                .setProtocols(protocols);
    }

    private static ApiMessage offsetCommit(Random r) {
        OffsetCommitRequestData.OffsetCommitRequestTopic topic =
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(pick(TOPICS, r));
        topic.partitions()
                .add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(r.nextInt(3))
                        .setCommittedOffset(r.nextInt(100))
                        .setCommittedMetadata(r.nextBoolean() ? null : "md"));
        OffsetCommitRequestData data = new OffsetCommitRequestData()
                .setGroupId(pick(GROUPS, r))
                .setGenerationIdOrMemberEpoch(-1)
                .setMemberId("");
        data.topics().add(topic);
        return data;
    }

    private static ApiMessage offsetFetch(short version, Random r) {
        OffsetFetchRequestData data = new OffsetFetchRequestData();
        if (version >= 8) {
            OffsetFetchRequestData.OffsetFetchRequestGroup group =
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(pick(GROUPS, r));
            group.setTopics(null);
            data.groups().add(group);
        } else {
            data.setGroupId(pick(GROUPS, r)).setTopics(null);
        }
        return data;
    }

    static <T> T pick(List<T> values, Random r) {
        return values.get(r.nextInt(values.size()));
    }
}
