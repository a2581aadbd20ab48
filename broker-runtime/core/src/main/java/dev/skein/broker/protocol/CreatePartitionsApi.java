package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.partition.TopicAdmin;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;

/**
 * CreatePartitions: grows a topic to a larger partition count (never shrinks), honouring validateOnly. Growth beyond
 * {@code skein.max.partitions.per.request} (all topics of the request together) or
 * {@code skein.max.partitions.per.broker} gets POLICY_VIOLATION before anything proportional to it is allocated.
 */
final class CreatePartitionsApi implements ApiHandler {
    private final MetadataStore metadata;
    private final TopicAdmin topics;

    CreatePartitionsApi(MetadataStore metadata, TopicAdmin topics) {
        this.metadata = metadata;
        this.topics = topics;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        CreatePartitionsRequest create = (CreatePartitionsRequest) request;
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        long requestPartitions = 0;
        for (CreatePartitionsTopic topic : create.data().topics()) {
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name());
            try {
                int current = metadata.topic(topic.name())
                        .map(t -> t.partitionCount())
                        .orElse(0);
                requestPartitions += Math.max(0L, (long) topic.count() - current);
                topics.checkRequestPartitions(requestPartitions);
                grow(topic, create.data().validateOnly());
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(new CreatePartitionsResponse(response));
    }

    private void grow(CreatePartitionsTopic request, boolean validateOnly) {
        Optional<TopicDescription> topic = metadata.topic(request.name());
        if (topic.isEmpty()) {
            throw new UnknownTopicOrPartitionException("Topic '" + request.name() + "' does not exist");
        }
        if (request.assignments() != null) {
            throw new InvalidReplicaAssignmentException("Manual replica assignment is not supported");
        }
        int current = topic.get().partitions().size();
        if (request.count() <= current) {
            throw new InvalidPartitionsException("Topic '" + request.name() + "' has " + current
                    + " partitions; the new count " + request.count() + " must be larger");
        }
        if (validateOnly) {
            topics.checkBrokerPartitions(
                    request.count() - current,
                    topic.get()
                            .partitions()
                            .values()
                            .iterator()
                            .next()
                            .replicas()
                            .size());
        } else {
            topics.createPartitions(request.name(), request.count());
        }
    }
}
