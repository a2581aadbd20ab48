package dev.skein.broker.protocol;

import dev.skein.broker.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;

/** OffsetDelete v0: GROUP_SUBSCRIBED_TO_TOPIC for topics a live member still subscribes to. */
final class OffsetDeleteApi implements ApiHandler {
    private final GroupCoordinator coordinator;

    OffsetDeleteApi(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        OffsetDeleteRequestData data = ((OffsetDeleteRequest) request).data();
        List<TopicPartition> partitions = new ArrayList<>();
        data.topics().forEach(t -> t.partitions()
                .forEach(p -> partitions.add(new TopicPartition(t.name(), p.partitionIndex()))));
        return coordinator.deleteOffsets(data.groupId(), partitions).thenApply(result -> {
            OffsetDeleteResponseData response =
                    new OffsetDeleteResponseData().setErrorCode(result.getKey().code());
            Map<String, OffsetDeleteResponseTopic> topics = new LinkedHashMap<>();
            result.getValue().forEach((tp, error) -> topics.computeIfAbsent(
                            tp.topic(), name -> new OffsetDeleteResponseTopic().setName(name))
                    .partitions()
                    .add(new OffsetDeleteResponsePartition()
                            .setPartitionIndex(tp.partition())
                            .setErrorCode(error.code())));
            topics.values().forEach(response.topics()::add);
            return new OffsetDeleteResponse(response);
        });
    }
}
