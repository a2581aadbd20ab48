package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.group.CommittedOffset;
import dev.skein.broker.group.FetchedOffsets;
import dev.skein.broker.group.GroupCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;

/**
 * OffsetFetch v1-10: one group (v1-7) or several (v8+), named partitions or all (null topics, v2+), topics by id from
 * v10. A partition without a committed offset answers offset -1. With {@code require_stable} (v7+), a partition for
 * which an open transaction holds an offset of the group answers UNSTABLE_OFFSET_COMMIT and offset -1 (KIP-447): the
 * consumer retries until the transaction ended instead of starting from an offset about to change.
 */
final class OffsetFetchApi implements ApiHandler {
    private final MetadataStore metadata;
    private final GroupCoordinator coordinator;

    OffsetFetchApi(MetadataStore metadata, GroupCoordinator coordinator) {
        this.metadata = metadata;
        this.coordinator = coordinator;
    }

    /** One topic's answer, independent of the version's message shape. */
    private record TopicOffsets(String name, Uuid id, Map<Integer, Answer> partitions) {}

    private record Answer(CommittedOffset offset, Errors error) {}

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        OffsetFetchRequest fetch = (OffsetFetchRequest) request;
        short version = context.apiVersion();
        boolean byId = version >= 10;
        boolean requireStable = version >= 7 && fetch.data().requireStable();
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        for (OffsetFetchRequestGroup group : fetch.groups()) {
            Map<String, TopicOffsets> topics = new LinkedHashMap<>();
            List<TopicPartition> wanted = null;
            if (group.topics() != null) {
                wanted = new ArrayList<>();
                for (OffsetFetchRequestTopics t : group.topics()) {
                    String name = t.name();
                    if (byId) {
                        Optional<TopicDescription> known = metadata.topic(t.topicId());
                        if (known.isEmpty()) {
                            Map<Integer, Answer> unknown = new LinkedHashMap<>();
                            t.partitionIndexes()
                                    .forEach(p -> unknown.put(p, new Answer(null, Errors.UNKNOWN_TOPIC_ID)));
                            topics.put(t.topicId().toString(), new TopicOffsets("", t.topicId(), unknown));
                            continue;
                        }
                        name = known.get().name();
                    }
                    for (int p : t.partitionIndexes()) {
                        wanted.add(new TopicPartition(name, p));
                    }
                }
            }
            FetchedOffsets fetched = coordinator.fetchOffsets(group.groupId(), wanted, requireStable);
            Errors groupError = fetched.error();
            fetched.offsets().forEach((tp, offset) -> topics.computeIfAbsent(
                            tp.topic(), name -> new TopicOffsets(name, topicId(name), new LinkedHashMap<>()))
                    .partitions()
                    .put(
                            tp.partition(),
                            fetched.unstable().contains(tp)
                                    ? new Answer(null, Errors.UNSTABLE_OFFSET_COMMIT)
                                    : new Answer(offset, Errors.NONE)));
            if (groupError != Errors.NONE && wanted != null) {
                for (TopicPartition tp : wanted) {
                    topics.computeIfAbsent(
                                    tp.topic(), name -> new TopicOffsets(name, topicId(name), new LinkedHashMap<>()))
                            .partitions()
                            .put(tp.partition(), new Answer(null, version < 2 ? groupError : Errors.NONE));
                }
            }
            if (version >= 8) {
                response.groups().add(groupResponse(group.groupId(), groupError, topics.values(), byId));
            } else {
                response.setErrorCode(groupError.code());
                for (TopicOffsets t : topics.values()) {
                    OffsetFetchResponseTopic topic = new OffsetFetchResponseTopic().setName(t.name());
                    t.partitions().forEach((p, answer) -> topic.partitions()
                            .add(new OffsetFetchResponsePartition()
                                    .setPartitionIndex(p)
                                    .setCommittedOffset(orNone(answer).offset())
                                    .setCommittedLeaderEpoch(orNone(answer).leaderEpoch())
                                    .setMetadata(orNone(answer).metadata())
                                    .setErrorCode(answer.error().code())));
                    response.topics().add(topic);
                }
            }
        }
        return CompletableFuture.completedFuture(new OffsetFetchResponse(response, version));
    }

    /** What the response says for a partition without a committed offset: offset and epoch -1, no metadata. */
    private static final CommittedOffset NO_OFFSET = new CommittedOffset(-1, -1, "", -1);

    private static CommittedOffset orNone(Answer answer) {
        return answer.offset() == null ? NO_OFFSET : answer.offset();
    }

    private static OffsetFetchResponseGroup groupResponse(
            String groupId, Errors error, Iterable<TopicOffsets> topics, boolean byId) {
        OffsetFetchResponseGroup group =
                new OffsetFetchResponseGroup().setGroupId(groupId).setErrorCode(error.code());
        for (TopicOffsets t : topics) {
            OffsetFetchResponseTopics topic = byId
                    ? new OffsetFetchResponseTopics().setTopicId(t.id())
                    : new OffsetFetchResponseTopics().setName(t.name());
            t.partitions().forEach((p, answer) -> topic.partitions()
                    .add(new OffsetFetchResponsePartitions()
                            .setPartitionIndex(p)
                            .setCommittedOffset(orNone(answer).offset())
                            .setCommittedLeaderEpoch(orNone(answer).leaderEpoch())
                            .setMetadata(orNone(answer).metadata())
                            .setErrorCode(answer.error().code())));
            group.topics().add(topic);
        }
        return group;
    }

    private Uuid topicId(String name) {
        return metadata.topic(name).map(TopicDescription::topicId).orElse(Uuid.ZERO_UUID);
    }
}
