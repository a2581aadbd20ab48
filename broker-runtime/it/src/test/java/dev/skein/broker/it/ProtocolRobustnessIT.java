package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad bytes from a client close that client's connection at most; the broker keeps serving everyone else. */
class ProtocolRobustnessIT {
    @TempDir
    Path dataDir;

    BrokerHarness harness;

    @BeforeEach
    void startBroker() throws Exception {
        harness = BrokerHarness.start(dataDir, Map.of("socket.request.max.bytes", "1048576"));
    }

    @AfterEach
    void stopBroker() throws Exception {
        harness.close();
    }

    @Test
    void garbageFramesCloseOnlyTheirConnection() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 50; i++) {
            byte[] garbage = new byte[1 + random.nextInt(200)];
            random.nextBytes(garbage);
            try (RawConnection raw = new RawConnection(harness.broker().port())) {
                raw.writeFrame(ByteBuffer.wrap(garbage));
                assertThat(raw.closedByPeer())
                        .as("garbage frame %d closes the connection", i)
                        .isTrue();
            }
        }
        assertBrokerServes();
    }

    @Test
    void oversizedAndNegativeFrameSizesAreRefused() throws Exception {
        for (int size : new int[] {2 * 1024 * 1024, Integer.MAX_VALUE, -1}) {
            try (RawConnection raw = new RawConnection(harness.broker().port())) {
                raw.writeRaw(ByteBuffer.allocate(4).putInt(size).array());
                assertThat(raw.closedByPeer()).as("frame size %d", size).isTrue();
            }
        }
        assertBrokerServes();
    }

    @Test
    void truncatedFrameThenDisconnectLeavesBrokerHealthy() throws Exception {
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            raw.writeRaw(
                    ByteBuffer.allocate(10).putInt(1000).putShort((short) 3).array());
        }
        // A well-formed header with a body cut short.
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            RequestHeader header = new RequestHeader(ApiKeys.METADATA, (short) 12, "cut", 1);
            ByteBuffer full = new org.apache.kafka.common.requests.MetadataRequest.Builder(List.of("a", "b"), true)
                    .build((short) 12)
                    .serializeWithHeader(header);
            ByteBuffer cut = ByteBuffer.allocate(full.remaining() - 5);
            full.limit(full.limit() - 5);
            cut.put(full).flip();
            raw.writeFrame(cut);
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertBrokerServes();
    }

    @Test
    void tooNewApiVersionsGetsUnsupportedVersionWithTheSupportedRanges() throws Exception {
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            // A future client: flexible header (v2) as every ApiVersions >= 3, with a version this broker lacks.
            RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "future-client", 7);
            ByteBuffer body = new ApiVersionsRequest(
                            new ApiVersionsRequestData()
                                    .setClientSoftwareName("future")
                                    .setClientSoftwareVersion("99.0"),
                            (short) 3)
                    .serializeWithHeader(header);
            // Header layout: api key (2), api version (2), correlation id (4), ...
            body.putShort(2, (short) 99);
            raw.writeFrame(body);
            ByteBuffer response = ByteBuffer.wrap(raw.readFrame());
            assertThat(response.getInt()).isEqualTo(header.correlationId());
            ApiVersionsResponse parsed = ApiVersionsResponse.parse(
                    new org.apache.kafka.common.protocol.ByteBufferAccessor(response), (short) 0);
            assertThat(parsed.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(parsed.data().apiKeys().find(ApiKeys.PRODUCE.id)).isNotNull();
        }
    }

    @Test
    void corruptBatchIsRefusedWithCorruptMessageAndNothingIsStored() throws Exception {
        harness.createTopic("crc", 1, Map.of());
        MemoryRecords records =
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("hello".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer bytes = records.buffer();
        bytes.put(bytes.limit() - 1, (byte) (bytes.get(bytes.limit() - 1) ^ 0x5a));
        Uuid topicId = harness.admin()
                .describeTopics(List.of("crc"))
                .allTopicNames()
                .get()
                .get("crc")
                .topicId();
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData topicData =
                new ProduceRequestData.TopicProduceData().setName("crc").setTopicId(topicId);
        topicData
                .partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.readableRecords(bytes)));
        data.topicData().add(topicData);
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            ProduceResponse response = (ProduceResponse) raw.send(new ProduceRequest(data, (short) 9));
            short code = response.data()
                    .responses()
                    .iterator()
                    .next()
                    .partitionResponses()
                    .get(0)
                    .errorCode();
            assertThat(Errors.forCode(code)).isEqualTo(Errors.CORRUPT_MESSAGE);
        }
        var consumer = harness.consumer(Map.of());
        var tp = new org.apache.kafka.common.TopicPartition("crc", 0);
        assertThat(consumer.endOffsets(List.of(tp)).get(tp)).isZero();
    }

    private void assertBrokerServes() throws Exception {
        harness.createTopic("still-alive", 1, Map.of());
        var metadata = harness.producer(Map.of())
                .send(new ProducerRecord<>("still-alive", "ok".getBytes(StandardCharsets.UTF_8)))
                .get();
        assertThat(metadata.offset()).isZero();
    }
}
