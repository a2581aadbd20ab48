package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every advertised version of the data-path APIs gets a well-formed, error-free answer. Older clients (kafkajs,
 * librdkafka) use old versions whose responses lack fields newer ones have; a field set that a version cannot carry
 * would otherwise fail the encoding.
 */
class ApiVersionSweepIT {
    private static final String TOPIC = "sweep";

    @TempDir
    static Path dataDir;

    static BrokerHarness harness;
    static Uuid topicId;

    @BeforeAll
    static void start() throws Exception {
        harness = BrokerHarness.start(dataDir);
        harness.createTopic(TOPIC, 1, Map.of());
        topicId = harness.admin()
                .describeTopics(List.of(TOPIC))
                .allTopicNames()
                .get()
                .get(TOPIC)
                .topicId();
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
    }

    @Test
    void produceAtEveryVersion() throws Exception {
        for (short v = ApiKeys.PRODUCE.oldestVersion(); v <= ApiKeys.PRODUCE.latestVersion(); v++) {
            ProduceRequestData data =
                    new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
            ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData();
            if (v >= 13) {
                topic.setTopicId(topicId);
            } else {
                topic.setName(TOPIC);
            }
            topic.partitionData()
                    .add(new ProduceRequestData.PartitionProduceData()
                            .setIndex(0)
                            .setRecords(MemoryRecords.withRecords(
                                    Compression.NONE, new SimpleRecord(("v" + v).getBytes(StandardCharsets.UTF_8)))));
            data.topicData().add(topic);
            assertNoErrors(send(new ProduceRequest(data, v)), "Produce v" + v);
        }
    }

    @Test
    void fetchAtEveryVersion() throws Exception {
        for (short v = ApiKeys.FETCH.oldestVersion(); v <= ApiKeys.FETCH.latestVersion(); v++) {
            FetchRequestData data = new FetchRequestData()
                    .setReplicaId(-1)
                    .setMaxWaitMs(0)
                    .setMinBytes(0)
                    .setMaxBytes(1 << 20);
            FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic();
            if (v >= 13) {
                topic.setTopicId(topicId);
            } else {
                topic.setTopic(TOPIC);
            }
            topic.partitions()
                    .add(new FetchRequestData.FetchPartition()
                            .setPartition(0)
                            .setFetchOffset(0)
                            .setPartitionMaxBytes(1 << 20));
            data.topics().add(topic);
            assertNoErrors(send(new FetchRequest(data, v)), "Fetch v" + v);
        }
    }

    @Test
    void listOffsetsAtEveryVersion() throws Exception {
        for (short v = ApiKeys.LIST_OFFSETS.oldestVersion(); v <= ApiKeys.LIST_OFFSETS.latestVersion(); v++) {
            ListOffsetsRequestData.ListOffsetsTopic topic =
                    new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC);
            topic.partitions()
                    .add(new ListOffsetsRequestData.ListOffsetsPartition()
                            .setPartitionIndex(0)
                            .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP));
            ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(
                            false, org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED)
                    .setTargetTimes(List.of(topic))
                    .build(v);
            assertNoErrors(send(request), "ListOffsets v" + v);
        }
    }

    @Test
    void metadataAtEveryVersion() throws Exception {
        for (short v = ApiKeys.METADATA.oldestVersion(); v <= ApiKeys.METADATA.latestVersion(); v++) {
            MetadataRequestData data = new MetadataRequestData();
            data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC));
            assertNoErrors(send(new MetadataRequest(data, v)), "Metadata v" + v);
        }
    }

    @Test
    void offsetForLeaderEpochAtEveryVersion() throws Exception {
        ApiKeys key = ApiKeys.OFFSET_FOR_LEADER_EPOCH;
        for (short v = key.oldestVersion(); v <= key.latestVersion(); v++) {
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic =
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(TOPIC);
            topic.partitions()
                    .add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                            .setPartition(0)
                            .setLeaderEpoch(0)
                            .setCurrentLeaderEpoch(-1));
            topics.add(topic);
            assertNoErrors(
                    send(new OffsetsForLeaderEpochRequest(
                            new OffsetForLeaderEpochRequestData()
                                    .setReplicaId(-1)
                                    .setTopics(topics),
                            v)),
                    "OffsetForLeaderEpoch v" + v);
        }
    }

    @Test
    void describeConfigsAtEveryVersion() throws Exception {
        ApiKeys key = ApiKeys.DESCRIBE_CONFIGS;
        for (short v = key.oldestVersion(); v <= key.latestVersion(); v++) {
            DescribeConfigsRequestData data = new DescribeConfigsRequestData().setIncludeSynonyms(v >= 1);
            data.resources()
                    .add(new DescribeConfigsRequestData.DescribeConfigsResource()
                            .setResourceType((byte) 2)
                            .setResourceName(TOPIC));
            assertNoErrors(send(new DescribeConfigsRequest.Builder(data).build(v)), "DescribeConfigs v" + v);
        }
    }

    private static AbstractResponse send(org.apache.kafka.common.requests.AbstractRequest request) throws Exception {
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            return raw.send(request);
        }
    }

    private static void assertNoErrors(AbstractResponse response, String what) {
        assertThat(response.errorCounts().keySet()).as(what).containsOnly(Errors.NONE);
    }
}
