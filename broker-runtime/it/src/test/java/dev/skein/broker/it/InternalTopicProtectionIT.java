package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code __consumer_offsets} and {@code __transaction_state} belong to the broker: clients cannot write, truncate,
 * delete, create or re-policy them, and an unreadable record in {@code __consumer_offsets} costs only itself when the
 * coordinator loads. Also the floors on segment configs clients may set.
 */
class InternalTopicProtectionIT {
    private static final String GROUP = "protected-group";
    private static final TopicPartition OFFSETS_0 = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 0);

    @TempDir
    Path dataDir;

    BrokerHarness harness;
    Admin admin;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir, Map.of("offsets.topic.num.partitions", "1"));
        harness.createTopic("data", 1, Map.of());
        admin = harness.admin();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void clientsCannotWriteTruncateDeleteOrRepolicyConsumerOffsets() throws Exception {
        commitOffset(42);
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            ByteBuffer record = RawProduce.copy(MemoryRecords.withRecords(
                    Compression.NONE, new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), new byte[8])));
            assertThat(RawProduce.error(RawProduce.produce(raw, Topic.GROUP_METADATA_TOPIC_NAME, record)))
                    .isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
        }
        assertFails(
                admin.deleteRecords(Map.of(OFFSETS_0, RecordsToDelete.beforeOffset(1)))
                        .all(),
                InvalidTopicException.class);
        assertFails(admin.deleteTopics(List.of(Topic.GROUP_METADATA_TOPIC_NAME)).all(), InvalidTopicException.class);
        ConfigResource offsetsTopic = new ConfigResource(ConfigResource.Type.TOPIC, Topic.GROUP_METADATA_TOPIC_NAME);
        AlterConfigOp toDelete =
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SET);
        assertFails(
                admin.incrementalAlterConfigs(Map.of(offsetsTopic, List.of(toDelete)))
                        .all(),
                InvalidConfigurationException.class);
        AlterConfigOp retention =
                new AlterConfigOp(new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET);
        admin.incrementalAlterConfigs(Map.of(offsetsTopic, List.of(retention)))
                .all()
                .get();

        assertThat(committedOffset()).isEqualTo(42);
        assertThat(harness.broker().metadata().topic(Topic.GROUP_METADATA_TOPIC_NAME))
                .isPresent();
    }

    @Test
    void internalTopicsCannotBeCreatedByClientsNorAutoCreatedByMetadata() throws Exception {
        assertFails(
                admin.createTopics(List.of(new NewTopic(Topic.TRANSACTION_STATE_TOPIC_NAME, 1, (short) 1)))
                        .all(),
                InvalidRequestException.class);
        assertFails(
                admin.createTopics(List.of(new NewTopic(Topic.GROUP_METADATA_TOPIC_NAME, 1, (short) 1)
                                .configs(Map.of("cleanup.policy", "delete"))))
                        .all(),
                InvalidRequestException.class);
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            MetadataResponse response = (MetadataResponse) raw.send(
                    new MetadataRequest.Builder(List.of(Topic.TRANSACTION_STATE_TOPIC_NAME), true).build((short) 12));
            assertThat(response.errors())
                    .containsEntry(Topic.TRANSACTION_STATE_TOPIC_NAME, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        assertThat(harness.broker().metadata().topic(Topic.TRANSACTION_STATE_TOPIC_NAME))
                .isEmpty();
        assertThat(harness.broker().metadata().topic(Topic.GROUP_METADATA_TOPIC_NAME))
                .isEmpty();
    }

    @Test
    void segmentConfigsBelowTheFloorsAreRefusedNamingTheKey() throws Exception {
        assertThatThrownBy(() -> admin.createTopics(
                                List.of(new NewTopic("tiny", 1, (short) 1).configs(Map.of("segment.bytes", "1000"))))
                        .all()
                        .get())
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("segment.bytes");
        ConfigResource data = new ConfigResource(ConfigResource.Type.TOPIC, "data");
        AlterConfigOp tinyIndex =
                new AlterConfigOp(new ConfigEntry("segment.index.bytes", "100"), AlterConfigOp.OpType.SET);
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(data, List.of(tinyIndex)))
                        .all()
                        .get())
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("segment.index.bytes");
        AlterConfigOp mebibyte =
                new AlterConfigOp(new ConfigEntry("segment.bytes", "1048576"), AlterConfigOp.OpType.SET);
        admin.incrementalAlterConfigs(Map.of(data, List.of(mebibyte))).all().get();
    }

    @Test
    void unreadableRecordsInConsumerOffsetsAreSkippedWhenTheCoordinatorLoads() throws Exception {
        commitOffset(7);
        // Written straight into the log, as a disk error, a bug or an older broker might have left them.
        ByteBuffer truncatedKey = ByteBuffer.allocate(4).putShort((short) 1).putShort((short) 200);
        ByteBuffer unknownKeyVersion = ByteBuffer.allocate(2).putShort((short) 99);
        ByteBuffer groupKey = ByteBuffer.allocate(2 + 2 + 1)
                .putShort((short) 2)
                .putShort((short) 1)
                .put((byte) 'x');
        ByteBuffer hugeMemberCount = ByteBuffer.allocate(2 + 2 + 4 + 2 + 2 + 4)
                .putShort((short) 0) // value version
                .putShort((short) -1) // protocol type
                .putInt(1) // generation
                .putShort((short) -1) // protocol
                .putShort((short) -1) // leader
                .putInt(Integer.MAX_VALUE); // member count
        harness.broker()
                .partitions()
                .get(OFFSETS_0)
                .orElseThrow()
                .appendAsLeader(
                        MemoryRecords.withRecords(
                                Compression.NONE,
                                new SimpleRecord(truncatedKey.array(), new byte[4]),
                                new SimpleRecord(unknownKeyVersion.array(), new byte[4]),
                                new SimpleRecord(groupKey.array(), hugeMemberCount.array())),
                        (short) 1);
        commitOffset(8);

        harness.restart();

        assertThat(committedOffset()).isEqualTo(8);
    }

    private void commitOffset(long offset) {
        KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of("group.id", GROUP));
        consumer.commitSync(Map.of(new TopicPartition("data", 0), new OffsetAndMetadata(offset)));
        consumer.close();
    }

    private long committedOffset() throws Exception {
        try (Admin fresh = Admin.create(Map.of("bootstrap.servers", harness.bootstrap()))) {
            return fresh.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)
                    .get(new TopicPartition("data", 0))
                    .offset();
        }
    }

    private static void assertFails(
            org.apache.kafka.common.KafkaFuture<Void> future, Class<? extends Throwable> cause) {
        assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(cause);
    }
}
