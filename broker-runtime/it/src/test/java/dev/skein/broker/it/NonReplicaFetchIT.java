package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Fetch carrying a replica id is a follower fetch only from an assigned replica of the partition: broker 7, which
 * holds no replica, gets Kafka's answer instead of the log up to its end, while a consumer (replica id -1) is served.
 */
class NonReplicaFetchIT {
    private static final TopicPartition TP = new TopicPartition("replicated", 0);

    @TempDir
    Path dataDir;

    @Test
    void fetchFromABrokerThatHoldsNoReplicaIsNotServedAsAFollowerFetch() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dataDir)) {
            harness.createTopic(TP.topic(), 1, Map.of());
            harness.producer(Map.of())
                    .send(new ProducerRecord<>(TP.topic(), "r".getBytes(StandardCharsets.UTF_8)))
                    .get();
            try (RawConnection raw = new RawConnection(harness.broker().port())) {
                FetchResponseData.PartitionData withEpoch =
                        fetch(raw, FetchRequest.Builder.forReplica((short) 12, 7, 1L, 0, 1, wanted(Optional.of(0))));
                assertThat(Errors.forCode(withEpoch.errorCode())).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
                FetchResponseData.PartitionData withoutEpoch =
                        fetch(raw, FetchRequest.Builder.forReplica((short) 12, 7, 1L, 0, 1, wanted(Optional.empty())));
                assertThat(Errors.forCode(withoutEpoch.errorCode())).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
                assertThat(
                                withoutEpoch.records() == null
                                        ? 0
                                        : withoutEpoch.records().sizeInBytes())
                        .isZero();

                FetchResponseData.PartitionData consumer =
                        fetch(raw, FetchRequest.Builder.forConsumer((short) 12, 0, 1, wanted(Optional.of(0))));
                assertThat(Errors.forCode(consumer.errorCode())).isEqualTo(Errors.NONE);
                assertThat(consumer.records().sizeInBytes()).isPositive();
            }
        }
    }

    private static Map<TopicPartition, FetchRequest.PartitionData> wanted(Optional<Integer> leaderEpoch) {
        Map<TopicPartition, FetchRequest.PartitionData> wanted = new LinkedHashMap<>();
        wanted.put(TP, new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0L, 0L, 1 << 20, leaderEpoch));
        return wanted;
    }

    private static FetchResponseData.PartitionData fetch(RawConnection raw, FetchRequest.Builder builder)
            throws Exception {
        FetchResponse response = (FetchResponse) raw.send(builder.build((short) 12));
        return response.data().responses().get(0).partitions().get(0);
    }
}
