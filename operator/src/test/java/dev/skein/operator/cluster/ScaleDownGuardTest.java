package dev.skein.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScaleDownGuardTest {

    @Test
    void growingOrKeepingTheSizeNeverAsksTheBrokers() throws InterruptedException {
        ScaleDownGuard guard = new ScaleDownGuard(bootstrap -> {
            throw new AssertionError("brokers asked");
        });
        assertThat(guard.decide(null, 3, "b:9092")).isEqualTo(new ScaleDownGuard.Proceed(3));
        assertThat(guard.decide(3, 3, "b:9092")).isEqualTo(new ScaleDownGuard.Proceed(3));
        assertThat(guard.decide(3, 5, "b:9092")).isEqualTo(new ScaleDownGuard.Proceed(5));
    }

    @Test
    void shrinkIsAllowedWhenLeavingBrokersHoldNoReplica() {
        Map<String, List<Integer>> placement = Map.of("orders-0", List.of(0, 1), "__consumer_offsets-0", List.of(1));
        assertThat(ScaleDownGuard.decide(3, 2, placement)).isEqualTo(new ScaleDownGuard.Proceed(2));
    }

    @Test
    void shrinkIsBlockedByAReplicaOnAnyLeavingBroker() {
        Map<String, List<Integer>> placement =
                Map.of("orders-0", List.of(0, 1), "orders-1", List.of(3, 0), "__consumer_offsets-7", List.of(2));
        ScaleDownGuard.Decision decision = ScaleDownGuard.decide(4, 2, placement);

        assertThat(decision).isInstanceOfSatisfying(ScaleDownGuard.Blocked.class, blocked -> {
            assertThat(blocked.replicas()).isEqualTo(4);
            assertThat(blocked.partitions()).containsExactly("__consumer_offsets-7", "orders-1");
            assertThat(blocked.message())
                    .contains("from 4 to 2")
                    .contains("broker id(s) 2..3")
                    .contains("__consumer_offsets-7, orders-1");
        });
    }

    @Test
    void messageNamesAFewPartitionsAndCountsTheRest() {
        Map<String, List<Integer>> placement = new TreeMap<>();
        IntStream.range(0, 8).forEach(p -> placement.put("big-" + p, List.of(1)));
        ScaleDownGuard.Blocked blocked = (ScaleDownGuard.Blocked) ScaleDownGuard.decide(2, 1, placement);
        assertThat(blocked.message()).contains("8 partition(s)").contains("and 3 more");
    }

    @Test
    void unreachableBrokersRefuseTheShrinkAndSayWhy() throws InterruptedException {
        ScaleDownGuard guard = new ScaleDownGuard(bootstrap -> {
            throw new ReplicaPlacements.BrokersUnreachableException(
                    "brokers at " + bootstrap + " did not answer", null);
        });
        ScaleDownGuard.Decision decision = guard.decide(3, 1, "c-bootstrap.ns.svc:9092");
        assertThat(decision).isInstanceOfSatisfying(ScaleDownGuard.Unreachable.class, u -> {
            assertThat(u.replicas()).isEqualTo(3);
            assertThat(u.message()).contains("refused").contains("c-bootstrap.ns.svc:9092 did not answer");
        });
    }
}
