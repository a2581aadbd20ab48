package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.partition.TopicAdmin;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicDeletionDisabledException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;

/**
 * DeleteTopics by name or (v6+) by topic id; refused with TOPIC_DELETION_DISABLED when delete.topic.enable=false. As in
 * Kafka 4.4: a topic that does not exist, or that a concurrent request deleted first, gets UNKNOWN_TOPIC_OR_PARTITION;
 * {@code timeoutMs <= 0} gets REQUEST_TIMED_OUT without deleting anything; a deletion that did not show in this broker's
 * metadata within {@code timeoutMs} gets REQUEST_TIMED_OUT (it completes anyway). Runs on the {@link AdminLane},
 * whose thread waits at most {@code timeoutMs} per topic.
 */
final class DeleteTopicsApi implements ApiHandler {
    private final MetadataStore metadata;
    private final TopicAdmin topics;
    private final boolean enabled;

    DeleteTopicsApi(MetadataStore metadata, TopicAdmin topics, boolean enabled) {
        this.metadata = metadata;
        this.topics = topics;
        this.enabled = enabled;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        DeleteTopicsRequest delete = (DeleteTopicsRequest) request;
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        int timeoutMs = delete.data().timeoutMs();
        for (DeleteTopicState state : delete.topics()) {
            DeletableTopicResult result =
                    new DeletableTopicResult().setName(state.name()).setTopicId(state.topicId());
            try {
                delete(state, timeoutMs, result);
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
            response.responses().add(result);
        }
        return CompletableFuture.completedFuture(new DeleteTopicsResponse(response));
    }

    private void delete(DeleteTopicState state, int timeoutMs, DeletableTopicResult result) {
        if (!enabled) {
            throw new TopicDeletionDisabledException("Topic deletion is disabled (delete.topic.enable=false)");
        }
        boolean byId = state.name() == null && !Uuid.ZERO_UUID.equals(state.topicId());
        Optional<TopicDescription> topic = byId ? metadata.topic(state.topicId()) : metadata.topic(state.name());
        if (topic.isEmpty()) {
            result.setErrorCode((byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
            return;
        }
        if (Topic.isInternal(topic.get().name())) {
            // Kafka lets an authorized client delete them; that loses every group's offsets, so Skein never does.
            throw new InvalidTopicException(
                    "Cannot delete internal topic " + topic.get().name());
        }
        result.setName(topic.get().name()).setTopicId(topic.get().topicId());
        RequestDeadline.requireTimeLeft("DeleteTopics", "deletion", timeoutMs);
        if (!topics.delete(topic.get().name(), timeoutMs)) {
            throw new TimeoutException("Topic " + topic.get().name()
                    + " is being deleted; the deletion did not complete within timeoutMs " + timeoutMs);
        }
    }
}
