package dev.skein.broker.protocol;

import dev.skein.broker.log.PartitionLog.EpochEndOffset;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

/**
 * OffsetForLeaderEpoch: the largest epoch at or below the requested one and the offset where it ended, from the
 * log's leader-epoch cache. Consumers use it to validate their position after a leader change; followers to find
 * where to truncate.
 */
final class OffsetForLeaderEpochApi implements ApiHandler {
    private final LeaderLookup leaders;

    OffsetForLeaderEpochApi(LeaderLookup leaders) {
        this.leaders = leaders;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        OffsetsForLeaderEpochRequest epochs = (OffsetsForLeaderEpochRequest) request;
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic topic : epochs.data().topics()) {
            OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (OffsetForLeaderPartition partition : topic.partitions()) {
                result.partitions().add(endOffset(topic.topic(), partition));
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(new OffsetsForLeaderEpochResponse(response));
    }

    private OffsetForLeaderEpochResponseData.EpochEndOffset endOffset(String topic, OffsetForLeaderPartition request) {
        OffsetForLeaderEpochResponseData.EpochEndOffset out = new OffsetForLeaderEpochResponseData.EpochEndOffset()
                .setPartition(request.partition())
                .setLeaderEpoch(-1)
                .setEndOffset(-1);
        LeaderLookup.Result leader =
                leaders.leader(new TopicPartition(topic, request.partition()), request.currentLeaderEpoch());
        if (!leader.ok()) {
            return out.setErrorCode(leader.error().code());
        }
        EpochEndOffset found = leader.partition().log().endOffsetForEpoch(request.leaderEpoch());
        return out.setErrorCode(Errors.NONE.code())
                .setLeaderEpoch(found.epoch())
                .setEndOffset(found.endOffset());
    }
}
