package dev.skein.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

class ReplicaAssignmentTest {
    private static BrokerRegistration broker(int id, String rack) {
        return new BrokerRegistration(id, "localhost", 9000 + id, rack);
    }

    @Test
    void rackAwarePlacementPutsReplicasOfEachPartitionInDistinctRacks() {
        // Racks deliberately not aligned with id order.
        List<BrokerRegistration> brokers =
                List.of(broker(1, "a"), broker(2, "a"), broker(3, "b"), broker(4, "b"), broker(5, "c"), broker(6, "c"));
        Map<String, String> rackOf = new HashMap<>();
        brokers.forEach(b -> rackOf.put(Integer.toString(b.id()), b.rack()));

        Map<Integer, List<Integer>> assignment = ReplicaAssignment.assign(brokers, 0, 12, 3);

        Map<Integer, Integer> leaders = new HashMap<>();
        for (List<Integer> replicas : assignment.values()) {
            assertThat(replicas).doesNotHaveDuplicates();
            assertThat(replicas.stream().map(id -> rackOf.get(id.toString())).collect(Collectors.toSet()))
                    .hasSize(3);
            leaders.merge(replicas.get(0), 1, Integer::sum);
        }
        assertThat(leaders).hasSize(6).allSatisfy((id, count) -> assertThat(count)
                .isEqualTo(2));
    }

    @Test
    void moreReplicasThanRacksReusesRacksOnlyAfterEveryRackIsUsed() {
        List<BrokerRegistration> brokers = List.of(broker(1, "a"), broker(2, "a"), broker(3, "b"), broker(4, "b"));

        Map<Integer, List<Integer>> assignment = ReplicaAssignment.assign(brokers, 0, 4, 3);

        for (List<Integer> replicas : assignment.values()) {
            assertThat(replicas).doesNotHaveDuplicates().hasSize(3);
            assertThat(replicas.subList(0, 2).stream()
                            .map(id -> id <= 2 ? "a" : "b")
                            .collect(Collectors.toSet()))
                    .hasSize(2);
        }
    }

    @Test
    void withoutRacksPlacementIsRoundRobinById() {
        List<BrokerRegistration> brokers = List.of(broker(3, null), broker(1, null), broker(2, null));

        assertThat(ReplicaAssignment.assign(brokers, 0, 3, 2))
                .containsEntry(0, List.of(1, 2))
                .containsEntry(1, List.of(2, 3))
                .containsEntry(2, List.of(3, 1));
        assertThatThrownBy(() -> ReplicaAssignment.assign(brokers, 0, 1, 4))
                .isInstanceOf(InvalidReplicationFactorException.class);
    }
}
