package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.group.CommittedOffset;
import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.txn.TransactionVerifier;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;

/**
 * TxnOffsetCommit v0-6: a transactional producer commits a consumer group's offsets inside its transaction
 * ({@code sendOffsetsToTransaction}). v3+ carries the consumer's group metadata (member id, group instance id,
 * generation) for KIP-447 fencing, v4+ may answer TRANSACTION_ABORTABLE, v5+ is KIP-890 part 2 (the coordinator adds
 * the group's {@code __consumer_offsets} partition to the transaction itself), v6+ names topics by id.
 *
 * <p>Order of checks: topics (UNKNOWN_TOPIC_ID / UNKNOWN_TOPIC_OR_PARTITION per partition), this broker coordinating
 * the group (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS), then the transaction coordinator's verification that the
 * group's partition is in the producer's ongoing transaction ({@link TransactionVerifier}, KIP-890), then the group
 * checks and the write ({@link GroupCoordinator#commitTransactionalOffsets}). Verification answers that mean "try
 * again" (the transaction coordinator moving or busy) become COORDINATOR_NOT_AVAILABLE, which the client retries, as
 * Kafka's group coordinator maps them.
 */
final class TxnOffsetCommitApi implements ApiHandler {
    private final MetadataStore metadata;
    private final GroupCoordinator coordinator;
    private final TransactionVerifier verifier;

    TxnOffsetCommitApi(MetadataStore metadata, GroupCoordinator coordinator, TransactionVerifier verifier) {
        this.metadata = metadata;
        this.coordinator = coordinator;
        this.verifier = verifier;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        TxnOffsetCommitRequestData data = ((TxnOffsetCommitRequest) request).data();
        short version = context.apiVersion();
        boolean byId = TxnOffsetCommitResponse.useTopicIds(version);
        Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
        Map<TopicPartition, Errors> refused = new LinkedHashMap<>();
        Map<String, Uuid> ids = new HashMap<>();
        for (TxnOffsetCommitRequestTopic topic : data.topics()) {
            Optional<TopicDescription> known = byId ? metadata.topic(topic.topicId()) : metadata.topic(topic.name());
            String name = byId
                    ? known.map(TopicDescription::name).orElse(topic.topicId().toString())
                    : topic.name();
            ids.put(name, byId ? topic.topicId() : Uuid.ZERO_UUID);
            for (TxnOffsetCommitRequestPartition p : topic.partitions()) {
                TopicPartition tp = new TopicPartition(name, p.partitionIndex());
                if (known.isEmpty()) {
                    refused.put(tp, byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (p.partitionIndex() < 0
                        || p.partitionIndex() >= known.get().partitionCount()) {
                    refused.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    offsets.put(
                            tp,
                            new CommittedOffset(
                                    p.committedOffset(),
                                    p.committedLeaderEpoch(),
                                    p.committedMetadata() == null ? "" : p.committedMetadata(),
                                    -1L));
                }
            }
        }
        return commit(data, version, offsets).thenApply(errors -> {
            Map<TopicPartition, Errors> all = new LinkedHashMap<>(refused);
            all.putAll(errors);
            return response(all, ids, byId);
        });
    }

    private CompletableFuture<Map<TopicPartition, Errors>> commit(
            TxnOffsetCommitRequestData data, short version, Map<TopicPartition, CommittedOffset> offsets) {
        if (offsets.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        Errors coordinatorError = coordinator.checkCoordinator(data.groupId());
        if (coordinatorError != Errors.NONE) {
            return CompletableFuture.completedFuture(allWith(offsets, coordinatorError));
        }
        TopicPartition offsetsPartition =
                new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, coordinator.partitionFor(data.groupId()));
        return verifier.verify(
                        data.transactionalId(),
                        data.producerId(),
                        data.producerEpoch(),
                        offsetsPartition,
                        version > TxnOffsetCommitRequest.LAST_STABLE_VERSION_BEFORE_TRANSACTION_V2)
                .thenCompose(verified -> {
                    if (verified != Errors.NONE) {
                        return CompletableFuture.completedFuture(
                                allWith(offsets, verificationError(verified, version)));
                    }
                    return coordinator.commitTransactionalOffsets(
                            data.groupId(),
                            data.producerId(),
                            data.producerEpoch(),
                            data.memberId(),
                            data.groupInstanceId(),
                            data.generationIdOrMemberEpoch(),
                            offsets);
                });
    }

    /** What the client gets when the transaction coordinator did not confirm the transaction. */
    static Errors verificationError(Errors error, short version) {
        return switch (error) {
            case COORDINATOR_NOT_AVAILABLE,
                    NOT_COORDINATOR,
                    COORDINATOR_LOAD_IN_PROGRESS,
                    CONCURRENT_TRANSACTIONS,
                    NOT_ENOUGH_REPLICAS,
                    REQUEST_TIMED_OUT,
                    NETWORK_EXCEPTION -> Errors.COORDINATOR_NOT_AVAILABLE;
            case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case TRANSACTION_ABORTABLE -> version >= 4 ? error : Errors.INVALID_TXN_STATE;
            default -> error;
        };
    }

    private static TxnOffsetCommitResponse response(
            Map<TopicPartition, Errors> errors, Map<String, Uuid> ids, boolean byId) {
        Map<String, TxnOffsetCommitResponseTopic> topics = new LinkedHashMap<>();
        errors.forEach((tp, error) -> topics.computeIfAbsent(tp.topic(), name -> {
                    TxnOffsetCommitResponseTopic t = new TxnOffsetCommitResponseTopic();
                    return byId ? t.setTopicId(ids.get(name)) : t.setName(name);
                })
                .partitions()
                .add(new TxnOffsetCommitResponsePartition()
                        .setPartitionIndex(tp.partition())
                        .setErrorCode(error.code())));
        TxnOffsetCommitResponseData data = new TxnOffsetCommitResponseData();
        data.topics().addAll(topics.values());
        return new TxnOffsetCommitResponse(data);
    }

    private static Map<TopicPartition, Errors> allWith(Map<TopicPartition, ?> partitions, Errors error) {
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        partitions.keySet().forEach(tp -> result.put(tp, error));
        return result;
    }
}
