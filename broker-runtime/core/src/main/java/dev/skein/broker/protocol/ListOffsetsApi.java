package dev.skein.broker.protocol;

import dev.skein.broker.log.PartitionLog;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * ListOffsets: earliest (-2, and -4 earliest-local), latest (-1: the high watermark, or for {@code read_committed}
 * the last stable offset), max timestamp (-3) and the first offset at or after a timestamp. Offsets past the high
 * watermark (for {@code read_committed}: the last stable offset) are never returned.
 */
final class ListOffsetsApi implements ApiHandler {
    /** Versions before this one cannot carry a leader epoch; writing one would fail the encoding. */
    private static final short FIRST_VERSION_WITH_LEADER_EPOCH = 4;

    private final LeaderLookup leaders;

    ListOffsetsApi(LeaderLookup leaders) {
        this.leaders = leaders;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        ListOffsetsRequest listOffsets = (ListOffsetsRequest) request;
        boolean readCommitted = listOffsets.isolationLevel() == IsolationLevel.READ_COMMITTED;
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsTopic topic : listOffsets.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            for (ListOffsetsPartition partition : topic.partitions()) {
                ListOffsetsPartitionResponse found = lookup(topic.name(), partition, readCommitted);
                if (context.apiVersion() < FIRST_VERSION_WITH_LEADER_EPOCH) {
                    found.setLeaderEpoch(-1);
                }
                topicResponse.partitions().add(found);
            }
            response.topics().add(topicResponse);
        }
        return CompletableFuture.completedFuture(new ListOffsetsResponse(response));
    }

    private ListOffsetsPartitionResponse lookup(String topic, ListOffsetsPartition request, boolean readCommitted) {
        ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse()
                .setPartitionIndex(request.partitionIndex())
                .setTimestamp(ListOffsetsResponse.UNKNOWN_TIMESTAMP)
                .setOffset(ListOffsetsResponse.UNKNOWN_OFFSET);
        LeaderLookup.Result leader =
                leaders.leader(new TopicPartition(topic, request.partitionIndex()), request.currentLeaderEpoch());
        if (!leader.ok()) {
            return out.setErrorCode(leader.error().code());
        }
        PartitionLog log = leader.partition().log();
        if (leader.partition().leaderEpochStartOffset() > log.highWatermark()) {
            // A new leader whose high watermark has not yet reached the start of its epoch: the previous leader may
            // have shown clients a higher one, and offsets must not go backwards (Kafka answers the same).
            return out.setErrorCode(Errors.OFFSET_NOT_AVAILABLE.code());
        }
        long timestamp = request.timestamp();
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
                || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            return withEpoch(out.setOffset(log.logStartOffset()), log);
        }
        // read_committed consumers see up to the last stable offset, as in Fetch.
        long lastFetchable = readCommitted ? log.lastStableOffset() : log.highWatermark();
        if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            return withEpoch(out.setOffset(lastFetchable), log);
        }
        if (timestamp < 0 && timestamp != ListOffsetsRequest.MAX_TIMESTAMP) {
            // Tiered-storage lookups (-5, -6): there is no remote tier, so there is no such offset.
            return out.setLeaderEpoch(-1);
        }
        Optional<TimestampAndOffset> found = timestamp == ListOffsetsRequest.MAX_TIMESTAMP
                ? log.maxTimestampOffset()
                : log.offsetForTimestamp(timestamp);
        if (found.isEmpty() || found.get().offset >= lastFetchable) {
            return out.setLeaderEpoch(-1);
        }
        TimestampAndOffset hit = found.get();
        return out.setTimestamp(hit.timestamp).setOffset(hit.offset).setLeaderEpoch(hit.leaderEpoch.orElse(-1));
    }

    private static ListOffsetsPartitionResponse withEpoch(ListOffsetsPartitionResponse out, PartitionLog log) {
        return out.setLeaderEpoch(log.latestEpoch().orElse(-1)).setErrorCode(Errors.NONE.code());
    }
}
