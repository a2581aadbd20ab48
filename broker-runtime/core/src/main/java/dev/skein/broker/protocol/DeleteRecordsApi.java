package dev.skein.broker.protocol;

import dev.skein.broker.log.PartitionLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;

/**
 * DeleteRecords (Admin.deleteRecords, kafka-delete-records, Kafka Streams' repartition purge): moves each
 * partition's log start offset up to the requested offset (-1 means the high watermark) and answers the new low
 * watermark. Offsets above the high watermark get OFFSET_OUT_OF_RANGE.
 */
final class DeleteRecordsApi implements ApiHandler {
    /** Offset value meaning "everything up to the high watermark". */
    private static final long HIGH_WATERMARK = -1L;

    private final LeaderLookup leaders;

    DeleteRecordsApi(LeaderLookup leaders) {
        this.leaders = leaders;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        DeleteRecordsRequest delete = (DeleteRecordsRequest) request;
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsTopic topic : delete.data().topics()) {
            DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic.name());
            for (DeleteRecordsPartition partition : topic.partitions()) {
                topicResult.partitions().add(deleteBefore(topic.name(), partition));
            }
            response.topics().add(topicResult);
        }
        return CompletableFuture.completedFuture(new DeleteRecordsResponse(response));
    }

    private DeleteRecordsPartitionResult deleteBefore(String topic, DeleteRecordsPartition request) {
        DeleteRecordsPartitionResult out = new DeleteRecordsPartitionResult()
                .setPartitionIndex(request.partitionIndex())
                .setLowWatermark(DeleteRecordsResponse.INVALID_LOW_WATERMARK);
        if (Topic.isInternal(topic)) {
            return out.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        LeaderLookup.Result leader =
                leaders.leader(new TopicPartition(topic, request.partitionIndex()), LeaderLookup.NO_EPOCH);
        if (!leader.ok()) {
            return out.setErrorCode(leader.error().code());
        }
        PartitionLog log = leader.partition().log();
        long offset = request.offset() == HIGH_WATERMARK ? log.highWatermark() : request.offset();
        try {
            return out.setLowWatermark(log.deleteRecordsBefore(offset)).setErrorCode(Errors.NONE.code());
        } catch (ApiException e) {
            return out.setErrorCode(Errors.forException(e).code());
        }
    }
}
