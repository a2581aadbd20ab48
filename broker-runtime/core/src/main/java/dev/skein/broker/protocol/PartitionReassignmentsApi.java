package dev.skein.broker.protocol;

import dev.skein.broker.cluster.BrokerRegistration;
import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsResponse;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsResponse;

/**
 * AlterPartitionReassignments and ListPartitionReassignments. Alter validates each partition (it exists; the target
 * replicas are registered brokers without duplicates) and stores the accepted targets in
 * {@code /admin/reassign_partitions} for the controller, returning at once as Kafka does; a partition with no
 * target cancels its pending request (replicas already added stay). List reports each pending partition with its
 * current replicas, the target replicas not yet in sync as adding and the current replicas outside the target as
 * removing.
 */
final class PartitionReassignmentsApi implements ApiHandler {
    private final MetadataStore metadata;

    PartitionReassignmentsApi(MetadataStore metadata) {
        this.metadata = metadata;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        try {
            AbstractResponse response = request.apiKey() == ApiKeys.ALTER_PARTITION_REASSIGNMENTS
                    ? alter((AlterPartitionReassignmentsRequest) request)
                    : list((ListPartitionReassignmentsRequest) request);
            return CompletableFuture.completedFuture(response);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.completedFuture(request.getErrorResponse(e));
        } catch (KafkaException e) {
            return CompletableFuture.completedFuture(request.getErrorResponse(e));
        }
    }

    private AlterPartitionReassignmentsResponse alter(AlterPartitionReassignmentsRequest request)
            throws InterruptedException {
        Set<Integer> registered = new HashSet<>();
        metadata.liveBrokers().stream().map(BrokerRegistration::id).forEach(registered::add);
        Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
        Map<TopicPartition, Optional<List<Integer>>> accepted = new LinkedHashMap<>();
        for (ReassignableTopic topic : request.data().topics()) {
            for (ReassignablePartition partition : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), partition.partitionIndex());
                List<Integer> target = partition.replicas();
                if (state(tp).isEmpty()) {
                    errors.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (target != null
                        && (target.isEmpty()
                                || new HashSet<>(target).size() != target.size()
                                || !registered.containsAll(target))) {
                    errors.put(tp, Errors.INVALID_REPLICA_ASSIGNMENT);
                } else {
                    errors.put(tp, Errors.NONE);
                    accepted.put(tp, Optional.ofNullable(target).map(List::copyOf));
                }
            }
        }
        if (!accepted.isEmpty()) {
            for (TopicPartition notPending : metadata.requestReassignments(accepted)) {
                errors.put(notPending, Errors.NO_REASSIGNMENT_IN_PROGRESS);
            }
        }
        AlterPartitionReassignmentsResponseData data = new AlterPartitionReassignmentsResponseData();
        Map<String, ReassignableTopicResponse> byTopic = new LinkedHashMap<>();
        errors.forEach((tp, error) -> byTopic.computeIfAbsent(
                        tp.topic(), name -> new ReassignableTopicResponse().setName(name))
                .partitions()
                .add(new ReassignablePartitionResponse()
                        .setPartitionIndex(tp.partition())
                        .setErrorCode(error.code())
                        .setErrorMessage(error == Errors.NONE ? null : error.message())));
        data.responses().addAll(byTopic.values());
        return new AlterPartitionReassignmentsResponse(data);
    }

    private ListPartitionReassignmentsResponse list(ListPartitionReassignmentsRequest request)
            throws InterruptedException {
        Map<TopicPartition, List<Integer>> pending = metadata.reassignments();
        Set<TopicPartition> wanted = null;
        if (request.data().topics() != null) {
            wanted = new HashSet<>();
            for (var topic : request.data().topics()) {
                for (int partition : topic.partitionIndexes()) {
                    wanted.add(new TopicPartition(topic.name(), partition));
                }
            }
        }
        Map<String, OngoingTopicReassignment> byTopic = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, List<Integer>> e : pending.entrySet()) {
            TopicPartition tp = e.getKey();
            Optional<PartitionState> state = state(tp);
            if (state.isEmpty() || (wanted != null && !wanted.contains(tp))) {
                continue;
            }
            List<Integer> target = e.getValue();
            List<Integer> current = state.get().replicas();
            byTopic.computeIfAbsent(tp.topic(), name -> new OngoingTopicReassignment().setName(name))
                    .partitions()
                    .add(new OngoingPartitionReassignment()
                            .setPartitionIndex(tp.partition())
                            .setReplicas(current)
                            .setAddingReplicas(target.stream()
                                    .filter(r -> !state.get().isr().contains(r))
                                    .toList())
                            .setRemovingReplicas(current.stream()
                                    .filter(r -> !target.contains(r))
                                    .toList()));
        }
        ListPartitionReassignmentsResponseData data = new ListPartitionReassignmentsResponseData();
        data.topics().addAll(byTopic.values());
        return new ListPartitionReassignmentsResponse(data);
    }

    private Optional<PartitionState> state(TopicPartition tp) {
        return metadata.topic(tp.topic())
                .map(TopicDescription::partitions)
                .map(partitions -> partitions.get(tp.partition()));
    }
}
