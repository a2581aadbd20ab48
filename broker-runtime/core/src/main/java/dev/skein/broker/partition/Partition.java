package dev.skein.broker.partition;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.log.PartitionLog.AppendResult;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * One partition hosted by this broker: its log plus the leadership state last read from ZooKeeper. Appends are
 * accepted only while this broker is the leader. The high watermark is the log end offset once every in-sync replica
 * has the data; with this broker as the only in-sync replica that is right after the append.
 */
public final class Partition {
    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private final int localBrokerId;
    private final Consumer<TopicPartition> onHighWatermarkAdvanced;
    private volatile PartitionState state;

    Partition(
            TopicPartition topicPartition,
            Uuid topicId,
            PartitionLog log,
            int localBrokerId,
            PartitionState state,
            Consumer<TopicPartition> onHighWatermarkAdvanced) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.localBrokerId = localBrokerId;
        this.state = state;
        this.onHighWatermarkAdvanced = onHighWatermarkAdvanced;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public PartitionState state() {
        return state;
    }

    void updateState(PartitionState newState) {
        this.state = newState;
        advanceHighWatermark();
    }

    public boolean isLeader() {
        return state.leader() == localBrokerId;
    }

    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    /**
     * Appends a producer's records as leader.
     *
     * @param requiredAcks 0, 1 or -1 (all)
     * @throws NotLeaderOrFollowerException if this broker does not lead the partition
     * @throws NotEnoughReplicasException for acks=all while the ISR is smaller than min.insync.replicas
     */
    public AppendResult appendAsLeader(MemoryRecords records, short requiredAcks) {
        PartitionState current = state;
        if (current.leader() != localBrokerId) {
            throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " is not the leader of " + topicPartition
                    + " (leader is " + current.leader() + ")");
        }
        int minIsr = log.config().minInSyncReplicas();
        if (requiredAcks == -1 && current.isr().size() < minIsr) {
            throw new NotEnoughReplicasException("The in-sync replicas " + current.isr() + " of " + topicPartition
                    + " are fewer than min.insync.replicas=" + minIsr);
        }
        AppendResult result = log.append(records, current.leaderEpoch());
        advanceHighWatermark();
        return result;
    }

    private void advanceHighWatermark() {
        PartitionState current = state;
        boolean soleInSyncReplica = current.isr().size() == 1 && current.isr().get(0) == localBrokerId;
        if (current.leader() == localBrokerId && soleInSyncReplica) {
            long leo = log.logEndOffset();
            if (leo > log.highWatermark()) {
                log.updateHighWatermark(leo);
                onHighWatermarkAdvanced.accept(topicPartition);
            }
        }
    }
}
