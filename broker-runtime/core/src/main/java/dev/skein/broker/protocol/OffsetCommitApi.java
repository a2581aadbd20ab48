package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.group.CommittedOffset;
import dev.skein.broker.group.GroupCoordinator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;

/**
 * OffsetCommit v2-10 (topics by id from v10). Answered once the offsets are committed to {@code __consumer_offsets};
 * a generation of -1 commits for a group that does not use group management. The v2-4 retention time is ignored,
 * as in Kafka since 2.1: offsets expire by {@code offsets.retention.minutes}.
 */
final class OffsetCommitApi implements ApiHandler {
    private final MetadataStore metadata;
    private final GroupCoordinator coordinator;

    OffsetCommitApi(MetadataStore metadata, GroupCoordinator coordinator) {
        this.metadata = metadata;
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        OffsetCommitRequestData data = ((OffsetCommitRequest) request).data();
        boolean byId = context.apiVersion() >= 10;
        Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        Map<String, Uuid> ids = new HashMap<>();
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        for (OffsetCommitRequestTopic topic : data.topics()) {
            String name = topic.name();
            if (byId) {
                Optional<TopicDescription> known = metadata.topic(topic.topicId());
                if (known.isEmpty()) {
                    OffsetCommitResponseTopic unknown = new OffsetCommitResponseTopic().setTopicId(topic.topicId());
                    for (OffsetCommitRequestPartition p : topic.partitions()) {
                        unknown.partitions()
                                .add(new OffsetCommitResponsePartition()
                                        .setPartitionIndex(p.partitionIndex())
                                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                    }
                    response.topics().add(unknown);
                    continue;
                }
                name = known.get().name();
                ids.put(name, topic.topicId());
            }
            for (OffsetCommitRequestPartition p : topic.partitions()) {
                offsets.put(
                        new TopicPartition(name, p.partitionIndex()),
                        new CommittedOffset(
                                p.committedOffset(),
                                p.committedLeaderEpoch(),
                                p.committedMetadata() == null ? "" : p.committedMetadata(),
                                -1L));
            }
        }
        return coordinator
                .commitOffsets(
                        data.groupId(),
                        data.memberId(),
                        data.groupInstanceId(),
                        data.generationIdOrMemberEpoch(),
                        offsets)
                .thenApply(errors -> {
                    Map<String, OffsetCommitResponseTopic> topics = new LinkedHashMap<>();
                    errors.forEach((tp, error) -> topics.computeIfAbsent(tp.topic(), name -> {
                                OffsetCommitResponseTopic t = new OffsetCommitResponseTopic();
                                return byId ? t.setTopicId(ids.get(name)) : t.setName(name);
                            })
                            .partitions()
                            .add(new OffsetCommitResponsePartition()
                                    .setPartitionIndex(tp.partition())
                                    .setErrorCode(error.code())));
                    response.topics().addAll(topics.values());
                    return new OffsetCommitResponse(response);
                });
    }
}
