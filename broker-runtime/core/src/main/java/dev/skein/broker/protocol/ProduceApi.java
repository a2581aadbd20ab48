package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.ProducerIdBlocks;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.log.PartitionLog.AppendResult;
import dev.skein.broker.metrics.BrokerMetrics;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.partition.ReplicationWaits;
import dev.skein.broker.txn.TransactionVerifier;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequiredAcksException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.common.errors.UnsupportedCompressionTypeException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: appends each partition's records as leader. acks=0 gets no response; in durable-ack mode the response
 * waits until a group-commit fdatasync covers every appended batch; acks=all (-1) waits until the high watermark covers
 * the append, i.e. every in-sync replica has it ({@link ReplicationWaits}). Per-partition failures become that partition's
 * error code; the others still succeed, as in Kafka.
 *
 * <p>Client bytes are validated before anything is written: internal topics are refused (INVALID_TOPIC_EXCEPTION),
 * transactional records without a transactional id fail the whole request (TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
 * producer ids no InitProducerId handed out get UNKNOWN_PRODUCER_ID (NOT_ENOUGH_REPLICAS, retriable, while that cannot
 * be known without waiting for ZooKeeper: see {@link ProducerIdBlocks#allocation}), and each partition's batch must pass
 * {@link Partition#appendFromClient}'s validation.
 *
 * <p>Transactional batches (KIP-98, KIP-890): when the producer has no transaction open in the partition yet, the
 * leader takes a verification guard and asks the {@link TransactionVerifier} (with {@code add} for produce v12+) before
 * appending; the request thread does not wait, the append runs when the answer arrives and the partition's response
 * carries the coordinator's error if it is not NONE. Client control batches are still refused (INVALID_RECORD) by the
 * log's validation after the verification, as Kafka orders it.
 */
final class ProduceApi implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(ProduceApi.class);
    private static final int MAGIC_OFFSET = 16;
    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int PRODUCER_ID_OFFSET = 43;
    private static final int PRODUCER_EPOCH_OFFSET = 51;
    /** First produce version of KIP-890 part 2: the leader's verification also adds the partition to the txn. */
    private static final short FIRST_VERSION_ADDING_PARTITIONS = 12;

    private static final int COMPRESSION_CODEC_MASK = 0x07;
    private static final int TRANSACTIONAL_FLAG_MASK = 0x10;

    private final MetadataStore metadata;
    private final PartitionRegistry partitions;
    private final boolean durableAck;
    private final BrokerMetrics metrics;
    private final ReplicationWaits replication;
    private final ProducerIdBlocks producerIds;
    private final TransactionVerifier verifier;

    ProduceApi(
            MetadataStore metadata,
            PartitionRegistry partitions,
            boolean durableAck,
            BrokerMetrics metrics,
            ReplicationWaits replication,
            ProducerIdBlocks producerIds,
            TransactionVerifier verifier) {
        this.metadata = metadata;
        this.partitions = partitions;
        this.durableAck = durableAck;
        this.metrics = metrics;
        this.replication = replication;
        this.producerIds = producerIds;
        this.verifier = verifier;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        ProduceRequest produce = (ProduceRequest) request;
        short acks = produce.acks();
        boolean byTopicId = context.apiVersion() >= 13;
        ProduceResponseData response = new ProduceResponseData();
        List<CompletableFuture<Void>> durable = new ArrayList<>();
        if (produce.transactionalId() == null && hasTransactionalRecords(produce)) {
            // Kafka answers the whole request so: transactional records need a transactional id to authorize.
            if (acks == 0) {
                return null;
            }
            return CompletableFuture.completedFuture(produce.getErrorResponse(new TransactionalIdAuthorizationException(
                    "Transactional records require the request's transactional id")));
        }
        for (TopicProduceData topicData : produce.data().topicData()) {
            Optional<TopicDescription> topic =
                    byTopicId ? metadata.topic(topicData.topicId()) : metadata.topic(topicData.name());
            TopicProduceResponse topicResponse =
                    new TopicProduceResponse().setName(topicData.name()).setTopicId(topicData.topicId());
            for (PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse partitionResponse =
                        new PartitionProduceResponse().setIndex(partitionData.index());
                if (acks != 0 && acks != 1 && acks != -1) {
                    setError(partitionResponse, new InvalidRequiredAcksException("acks must be 0, 1 or -1 (all)"));
                } else if (topic.isEmpty()) {
                    partitionResponse.setErrorCode(
                            (byTopicId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                } else if (partitionData.records() == null) {
                    setError(partitionResponse, new InvalidRecordException("Produce request holds null records"));
                } else if (Topic.isInternal(topic.get().name())) {
                    setError(
                            partitionResponse,
                            new InvalidTopicException("Cannot append to internal topic "
                                    + topic.get().name()));
                } else {
                    TopicPartition tp = new TopicPartition(topic.get().name(), partitionData.index());
                    append(
                            context.apiVersion(),
                            context.clientAddress(),
                            produce.transactionalId(),
                            tp,
                            (MemoryRecords) partitionData.records(),
                            acks,
                            produce.timeout(),
                            partitionResponse,
                            durable);
                }
                topicResponse.partitionResponses().add(partitionResponse);
            }
            response.responses().add(topicResponse);
        }
        if (acks == 0) {
            return null;
        }
        ProduceResponse produceResponse = new ProduceResponse(response);
        if (durable.isEmpty()) {
            return CompletableFuture.completedFuture(produceResponse);
        }
        CompletableFuture<AbstractResponse> answer = CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> produceResponse);
        if (!answer.isDone()) {
            // The dispatcher cancels the answer when the connection closes; pass that on to every wait so none of
            // them keeps the request's records, response and purgatory entry until its own timeout.
            answer.whenComplete((r, error) -> {
                if (answer.isCancelled()) {
                    durable.forEach(wait -> wait.cancel(false));
                }
            });
        }
        return answer;
    }

    private void append(
            short version,
            InetAddress client,
            String transactionalId,
            TopicPartition tp,
            MemoryRecords records,
            short acks,
            int timeoutMs,
            PartitionProduceResponse response,
            List<CompletableFuture<Void>> durable) {
        Optional<Partition> partition = partitions.get(tp);
        if (partition.isEmpty()) {
            response.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return;
        }
        Object guard;
        try {
            checkProducer(version, records);
            if (!isTransactional(records)) {
                appendNow(client, partition.get(), tp, records, acks, timeoutMs, response, durable, null);
                return;
            }
            guard = partition.get().log().transactionVerificationGuard(producerId(records), producerEpoch(records));
        } catch (ApiException e) {
            log.debug("Produce to {} refused: {}", tp, e.toString());
            setError(response, e);
            return;
        }
        if (guard == null) {
            // The producer's transaction is open in this partition already: no verification (Kafka's rule).
            appendNow(client, partition.get(), tp, records, acks, timeoutMs, response, durable, null);
            return;
        }
        durable.add(verifyThenAppend(
                version, client, transactionalId, partition.get(), tp, records, acks, timeoutMs, response, guard, 1));
    }

    /**
     * Asks the coordinator about the first transactional batch of a producer here, then appends it under
     * {@code guard}. A {@code transaction.version} 2 producer (Produce v12+, the coordinator adds the partition) whose
     * guard a marker dropped meanwhile (the marker of the transaction it just ended, written at the epoch it now
     * uses) is verified once more under a fresh guard, as Kafka retries the verification from the start; the append
     * still checks the guard, so a batch of an ended transaction is never admitted.
     */
    private CompletableFuture<Void> verifyThenAppend(
            short version,
            InetAddress client,
            String transactionalId,
            Partition partition,
            TopicPartition tp,
            MemoryRecords records,
            short acks,
            int timeoutMs,
            PartitionProduceResponse response,
            Object guard,
            int retriesLeft) {
        long producerId = producerId(records);
        short epoch = producerEpoch(records);
        boolean add = version >= FIRST_VERSION_ADDING_PARTITIONS;
        return verifier.verify(transactionalId, producerId, epoch, tp, add).thenCompose(error -> {
            if (error != Errors.NONE) {
                response.setErrorCode(error.code())
                        .setErrorMessage("Transactional batch of producer " + producerId
                                + " refused by the transaction coordinator: " + error.message());
                return CompletableFuture.completedFuture(null);
            }
            Object current = partition.log().transactionVerificationGuard(producerId, epoch);
            if (add && retriesLeft > 0 && current != null && current != guard) {
                return verifyThenAppend(
                        version,
                        client,
                        transactionalId,
                        partition,
                        tp,
                        records,
                        acks,
                        timeoutMs,
                        response,
                        current,
                        retriesLeft - 1);
            }
            List<CompletableFuture<Void>> waits = new ArrayList<>(2);
            appendNow(client, partition, tp, records, acks, timeoutMs, response, waits, guard);
            return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
        });
    }

    /**
     * Appends as leader (a transactional batch under the {@code guard} its verification took) and adds what the
     * response must wait for (durability, replication) to {@code durable}.
     */
    private void appendNow(
            InetAddress client,
            Partition partition,
            TopicPartition tp,
            MemoryRecords records,
            short acks,
            int timeoutMs,
            PartitionProduceResponse response,
            List<CompletableFuture<Void>> durable,
            Object guard) {
        try {
            Partition.LeaderAppend appended = partition.appendFromClient(records, acks, client, guard);
            AppendResult result = appended.result();
            response.setBaseOffset(result.firstOffset())
                    .setLogAppendTimeMs(result.logAppendTime())
                    .setLogStartOffset(result.logStartOffset());
            if (!result.duplicate()) {
                metrics.topic(tp.topic())
                        .recordAppend(records.sizeInBytes(), result.lastOffset() - result.firstOffset() + 1);
            }
            if (durableAck) {
                // A duplicate too: its original may still wait for its fsync (the retry raced the first ack).
                durable.add(partition.log().awaitDurable(result.lastOffset()));
            }
            if (acks == -1) {
                // acks=all: answer once every in-sync replica has the records (the high watermark covers them).
                CompletableFuture<Errors> replicated = replication.awaitHighWatermark(
                        partition, appended.leaderEpoch(), result.lastOffset() + 1, timeoutMs);
                CompletableFuture<Void> answered = replicated.thenAccept(error -> {
                    if (error != Errors.NONE) {
                        response.setErrorCode(error.code()).setErrorMessage(error.message());
                    }
                });
                if (!answered.isDone()) {
                    answered.whenComplete((ignored, error) -> {
                        if (answered.isCancelled()) {
                            replicated.cancel(false);
                        }
                    });
                }
                durable.add(answered);
            }
        } catch (ApiException e) {
            log.debug("Produce to {} refused: {}", tp, e.toString());
            setError(response, e);
        }
    }

    /**
     * Header checks that need more than the partition: the codec allowed by the request version (Kafka's rule) and a
     * producer id some broker of this cluster handed out — stricter than Kafka, which takes any id, so a made-up id
     * cannot start a producer state (or fence one) here; a transactional batch's producer id is left to the transaction
     * coordinator's verification. The full batch validation follows in the log.
     */
    private void checkProducer(short version, MemoryRecords records) {
        ByteBuffer buffer = records.buffer();
        int start = buffer.position();
        if (records.sizeInBytes() < DefaultRecordBatch.RECORD_BATCH_OVERHEAD
                || buffer.get(start + MAGIC_OFFSET) != RecordBatch.MAGIC_VALUE_V2) {
            return; // refused by the log's validation with the matching error
        }
        short attributes = buffer.getShort(start + ATTRIBUTES_OFFSET);
        if (version < 7 && (attributes & COMPRESSION_CODEC_MASK) == CompressionType.ZSTD.id) {
            throw new UnsupportedCompressionTypeException(
                    "Produce requests with version " + version + " may not use ZStandard compression");
        }
        long producerId = buffer.getLong(start + PRODUCER_ID_OFFSET);
        if (producerId == RecordBatch.NO_PRODUCER_ID || (attributes & TRANSACTIONAL_FLAG_MASK) != 0) {
            // A transactional producer id is checked by the transaction coordinator's verification, which answers a
            // producer id it did not map to the transactional id with INVALID_PRODUCER_ID_MAPPING (Kafka's order).
            return;
        }
        ProducerIdBlocks.Allocation allocation = producerIds.allocation(producerId);
        if (allocation == ProducerIdBlocks.Allocation.UNKNOWN) {
            // Retriable, as Kafka answers a produce whose producer it cannot verify: the producer tries again.
            throw new NotEnoughReplicasException("Producer id " + producerId
                    + " cannot be verified now (the cluster's producer id blocks are not known to be current)");
        }
        if (allocation == ProducerIdBlocks.Allocation.NOT_ALLOCATED) {
            throw new UnknownProducerIdException(
                    "Producer id " + producerId + " was never handed out by InitProducerId in this cluster");
        }
    }

    /** Whether the (first) batch is a well-formed v2 header with the transactional bit (control batches too). */
    private static boolean isTransactional(MemoryRecords records) {
        ByteBuffer buffer = records.buffer();
        int start = buffer.position();
        return records.sizeInBytes() >= DefaultRecordBatch.RECORD_BATCH_OVERHEAD
                && buffer.get(start + MAGIC_OFFSET) == RecordBatch.MAGIC_VALUE_V2
                && (buffer.getShort(start + ATTRIBUTES_OFFSET) & TRANSACTIONAL_FLAG_MASK) != 0;
    }

    private static long producerId(MemoryRecords records) {
        return records.buffer().getLong(records.buffer().position() + PRODUCER_ID_OFFSET);
    }

    private static short producerEpoch(MemoryRecords records) {
        return records.buffer().getShort(records.buffer().position() + PRODUCER_EPOCH_OFFSET);
    }

    private static boolean hasTransactionalRecords(ProduceRequest produce) {
        try {
            return RequestUtils.hasTransactionalRecords(produce);
        } catch (ApiException | IllegalArgumentException e) {
            return false; // malformed records: each partition's validation answers them
        }
    }

    private static void setError(PartitionProduceResponse response, ApiException e) {
        response.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
    }
}
