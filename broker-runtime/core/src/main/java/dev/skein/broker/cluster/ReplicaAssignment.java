package dev.skein.broker.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Round-robin replica placement, ignoring racks: partition {@code p} gets the brokers at positions {@code p, p+1, ...,
 * p+rf-1} (modulo the broker count) of the id-sorted live broker list, so leaders (the first replica) and replicas
 * spread evenly and adding partitions continues the rotation where the existing ones stopped. Pure function.
 */
final class ReplicaAssignment {
    private ReplicaAssignment() {}

    /**
     * Replicas for partitions {@code firstPartition .. firstPartition + count - 1}.
     *
     * @param brokerIds live broker ids, sorted ascending
     * @throws InvalidReplicationFactorException if {@code replicationFactor} is below 1 or above the broker count
     */
    static Map<Integer, List<Integer>> roundRobin(
            List<Integer> brokerIds, int firstPartition, int count, int replicationFactor) {
        if (replicationFactor < 1) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0.");
        }
        if (replicationFactor > brokerIds.size()) {
            throw new InvalidReplicationFactorException("Replication factor: " + replicationFactor
                    + " larger than available brokers: " + brokerIds.size() + ".");
        }
        Map<Integer, List<Integer>> assignment = new LinkedHashMap<>();
        for (int partition = firstPartition; partition < firstPartition + count; partition++) {
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            for (int replica = 0; replica < replicationFactor; replica++) {
                replicas.add(brokerIds.get((partition + replica) % brokerIds.size()));
            }
            assignment.put(partition, List.copyOf(replicas));
        }
        return assignment;
    }
}
