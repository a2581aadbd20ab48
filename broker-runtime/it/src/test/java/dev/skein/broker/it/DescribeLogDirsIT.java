package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DescribeLogDirs ({@code kafka-log-dirs}): the data directory, its space, and each local replica's size. */
class DescribeLogDirsIT {
    @TempDir
    Path dataDir;

    @Test
    void describesTheDataDirectoryAndTheSizeOfEveryReplica() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dataDir)) {
            harness.createTopic("dirs", 2, Map.of());
            KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of());
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("dirs", 0, null, new byte[100]))
                        .get();
            }

            Map<String, LogDirDescription> dirs = harness.admin()
                    .describeLogDirs(List.of(0))
                    .allDescriptions()
                    .get()
                    .get(0);

            assertThat(dirs).containsOnlyKeys(dataDir.toAbsolutePath().toString());
            LogDirDescription dir = dirs.values().iterator().next();
            assertThat(dir.error()).isNull();
            assertThat(dir.totalBytes()).isPresent();
            assertThat(dir.usableBytes().orElseThrow()).isPositive();
            Map<TopicPartition, ReplicaInfo> replicas = dir.replicaInfos();
            assertThat(replicas.get(new TopicPartition("dirs", 0)).size()).isGreaterThan(10 * 100);
            assertThat(replicas.get(new TopicPartition("dirs", 1)).size()).isZero();
            assertThat(replicas.get(new TopicPartition("dirs", 0)).isFuture()).isFalse();
        }
    }
}
