package dev.skein.broker.cluster;

import java.util.List;

/**
 * One partition of a topic: its assigned replicas (from {@code /brokers/topics/<t>}) and its leadership state (from
 * {@code /brokers/topics/<t>/partitions/<p>/state}).
 *
 * @param leader the leader broker id, or -1 when the partition has none
 * @param zkVersion the version of the state znode, for conditional updates of leader and ISR
 * @param controllerEpoch the epoch of the controller that wrote the leader (0 for a state written at topic creation);
 *     brokers ignore a state stamped with an older epoch than one they already applied
 */
public record PartitionState(
        int partition,
        List<Integer> replicas,
        int leader,
        int leaderEpoch,
        List<Integer> isr,
        int zkVersion,
        int controllerEpoch) {
    public PartitionState {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }
}
