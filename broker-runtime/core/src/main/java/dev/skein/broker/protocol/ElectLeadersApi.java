package dev.skein.broker.protocol;

import dev.skein.broker.cluster.BrokerRegistration;
import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ElectLeadersResponse;

/**
 * ElectLeaders (preferred): partitions whose preferred replica (the first assigned) is live and in sync but not
 * leading are handed to the controller through {@code /admin/preferred_replica_election} (a ZooKeeper write: this
 * handler runs on the {@link AdminLane}); the response completes once the metadata shows them moved, or after the
 * request's timeout with REQUEST_TIMED_OUT for those still not moved, and no thread waits meanwhile. Partitions already led by
 * their preferred replica get ELECTION_NOT_NEEDED, those whose preferred replica is down or out of sync
 * PREFERRED_LEADER_NOT_AVAILABLE. Unclean elections on request, and election types that do not exist, are refused
 * with INVALID_REQUEST for the whole request and every partition (Kafka 4.4 answers an unknown type so): enable
 * {@code unclean.leader.election.enable} on the topic instead, and the controller elects uncleanly when needed.
 */
final class ElectLeadersApi implements ApiHandler {
    private final MetadataStore metadata;
    private final Executor admin;

    /** @param admin where the response is built once the metadata shows the outcome (not the metadata thread) */
    ElectLeadersApi(MetadataStore metadata, Executor admin) {
        this.metadata = metadata;
        this.admin = admin;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        ElectLeadersRequest elect = (ElectLeadersRequest) request;
        Map<TopicPartition, Errors> results = new LinkedHashMap<>();
        for (TopicPartition tp : requested(elect)) {
            results.put(tp, Errors.NONE);
        }
        // v0 has no election type (preferred); ElectionType.valueOf throws on a byte it does not know.
        byte type = elect.version() == 0
                ? ElectionType.PREFERRED.value
                : elect.data().electionType();
        if (type != ElectionType.PREFERRED.value) {
            results.replaceAll((tp, error) -> Errors.INVALID_REQUEST);
            return CompletableFuture.completedFuture(respond(
                    results,
                    Errors.INVALID_REQUEST,
                    type == ElectionType.UNCLEAN.value
                            ? "unclean elections on request are not supported"
                            : "Unknown election type " + type));
        }
        Set<Integer> live = new HashSet<>();
        metadata.liveBrokers().stream().map(BrokerRegistration::id).forEach(live::add);
        List<TopicPartition> toMove = new ArrayList<>();
        for (Map.Entry<TopicPartition, Errors> e : results.entrySet()) {
            Optional<PartitionState> state = state(e.getKey());
            if (state.isEmpty()) {
                e.setValue(Errors.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            int preferred = state.get().replicas().get(0);
            if (state.get().leader() == preferred) {
                e.setValue(Errors.ELECTION_NOT_NEEDED);
            } else if (!live.contains(preferred) || !state.get().isr().contains(preferred)) {
                e.setValue(Errors.PREFERRED_LEADER_NOT_AVAILABLE);
            } else {
                toMove.add(e.getKey());
            }
        }
        if (toMove.isEmpty()) {
            return CompletableFuture.completedFuture(respond(results, Errors.NONE, null));
        }
        CompletableFuture<Boolean> moved;
        try {
            // An earlier request still pending is not an error: the controller handles it, then ours is retried.
            moved = metadata.requestPreferredLeaderElection(toMove)
                    ? metadata.view()
                            .whenMetadata(
                                    () -> toMove.stream().allMatch(this::ledByPreferred),
                                    elect.data().timeoutMs())
                    : CompletableFuture.completedFuture(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            moved = CompletableFuture.completedFuture(false);
        }
        return moved.thenApplyAsync(
                done -> {
                    for (TopicPartition tp : toMove) {
                        if (!ledByPreferred(tp)) {
                            results.put(tp, Errors.REQUEST_TIMED_OUT);
                        }
                    }
                    return respond(results, Errors.NONE, null);
                },
                admin);
    }

    private List<TopicPartition> requested(ElectLeadersRequest elect) {
        List<TopicPartition> out = new ArrayList<>();
        if (elect.data().topicPartitions() == null) {
            for (TopicDescription topic : metadata.topics()) {
                for (int partition : topic.partitions().keySet()) {
                    out.add(new TopicPartition(topic.name(), partition));
                }
            }
            return out;
        }
        for (TopicPartitions topic : elect.data().topicPartitions()) {
            for (int partition : topic.partitions()) {
                out.add(new TopicPartition(topic.topic(), partition));
            }
        }
        return out;
    }

    private Optional<PartitionState> state(TopicPartition tp) {
        return metadata.topic(tp.topic()).map(topic -> topic.partitions().get(tp.partition()));
    }

    private boolean ledByPreferred(TopicPartition tp) {
        return state(tp).map(s -> s.leader() == s.replicas().get(0)).orElse(false);
    }

    private static ElectLeadersResponse respond(Map<TopicPartition, Errors> results, Errors topLevel, String message) {
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, Errors> e : results.entrySet()) {
            ReplicaElectionResult topic =
                    byTopic.computeIfAbsent(e.getKey().topic(), name -> new ReplicaElectionResult().setTopic(name));
            Errors error = e.getValue();
            topic.partitionResult()
                    .add(new PartitionResult()
                            .setPartitionId(e.getKey().partition())
                            .setErrorCode(error.code())
                            .setErrorMessage(
                                    error == Errors.NONE ? null : message == null ? error.message() : message));
        }
        return new ElectLeadersResponse(0, topLevel.code(), new ArrayList<>(byTopic.values()), (short) 0);
    }
}
