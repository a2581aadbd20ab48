package dev.skein.broker.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Replica placement for new partitions. Pure functions.
 *
 * <p>Without racks (no broker declares {@code broker.rack}): partition {@code p} gets the brokers at positions
 * {@code p, p+1, ..., p+rf-1} (modulo the broker count) of the id-sorted live broker list, so leaders (the first
 * replica) and replicas spread evenly and adding partitions continues the rotation where the existing ones stopped.
 *
 * <p>Rack-aware (any broker declares a rack; brokers without one count as rack {@code ""}): the brokers are first
 * ordered by alternating racks (first broker of each rack, then the second of each, ...), and partition {@code p}
 * starts at position {@code p} of that order; following replicas are the next brokers in that order whose rack the
 * partition does not use yet, and only once every rack is used, the next brokers regardless of rack. So every
 * partition spans {@code min(rf, racks)} racks and leaders still rotate over all brokers.
 */
final class ReplicaAssignment {
    private ReplicaAssignment() {}

    /**
     * Replicas for partitions {@code firstPartition .. firstPartition + count - 1}.
     *
     * @param brokers live brokers
     * @throws InvalidReplicationFactorException if {@code replicationFactor} is below 1 or above the broker count
     */
    static Map<Integer, List<Integer>> assign(
            List<BrokerRegistration> brokers, int firstPartition, int count, int replicationFactor) {
        List<BrokerRegistration> sorted = new ArrayList<>(brokers);
        sorted.sort(Comparator.comparingInt(BrokerRegistration::id));
        boolean racks = sorted.stream().anyMatch(broker -> broker.rack() != null);
        if (!racks) {
            return roundRobin(
                    sorted.stream().map(BrokerRegistration::id).toList(), firstPartition, count, replicationFactor);
        }
        checkReplicationFactor(sorted.size(), replicationFactor);
        List<BrokerRegistration> order = alternateRacks(sorted);
        Map<Integer, List<Integer>> assignment = new LinkedHashMap<>();
        for (int partition = firstPartition; partition < firstPartition + count; partition++) {
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            Set<String> usedRacks = new HashSet<>();
            for (int step = 0; step < order.size() && replicas.size() < replicationFactor; step++) {
                BrokerRegistration candidate = order.get((partition + step) % order.size());
                if (!usedRacks.contains(rack(candidate))) {
                    usedRacks.add(rack(candidate));
                    replicas.add(candidate.id());
                }
            }
            for (int step = 0; step < order.size() && replicas.size() < replicationFactor; step++) {
                BrokerRegistration candidate = order.get((partition + step) % order.size());
                if (!replicas.contains(candidate.id())) {
                    replicas.add(candidate.id());
                }
            }
            assignment.put(partition, List.copyOf(replicas));
        }
        return assignment;
    }

    /** The round-robin placement over {@code brokerIds} (sorted ascending), ignoring racks. */
    static Map<Integer, List<Integer>> roundRobin(
            List<Integer> brokerIds, int firstPartition, int count, int replicationFactor) {
        checkReplicationFactor(brokerIds.size(), replicationFactor);
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

    private static void checkReplicationFactor(int brokerCount, int replicationFactor) {
        if (replicationFactor < 1) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0.");
        }
        if (replicationFactor > brokerCount) {
            throw new InvalidReplicationFactorException("Replication factor: " + replicationFactor
                    + " larger than available brokers: " + brokerCount + ".");
        }
    }

    private static List<BrokerRegistration> alternateRacks(List<BrokerRegistration> sorted) {
        Map<String, List<BrokerRegistration>> byRack = new TreeMap<>();
        for (BrokerRegistration broker : sorted) {
            byRack.computeIfAbsent(rack(broker), r -> new ArrayList<>()).add(broker);
        }
        List<BrokerRegistration> order = new ArrayList<>(sorted.size());
        for (int round = 0; order.size() < sorted.size(); round++) {
            for (List<BrokerRegistration> rackBrokers : byRack.values()) {
                if (round < rackBrokers.size()) {
                    order.add(rackBrokers.get(round));
                }
            }
        }
        return order;
    }

    private static String rack(BrokerRegistration broker) {
        return broker.rack() == null ? "" : broker.rack();
    }
}
