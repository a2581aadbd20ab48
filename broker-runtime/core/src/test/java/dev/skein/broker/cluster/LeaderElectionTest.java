package dev.skein.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {
    private static PartitionState state(int leader, int epoch, List<Integer> isr) {
        return new PartitionState(0, List.of(1, 2, 3), leader, epoch, isr, 0, 1);
    }

    @Test
    void electsFirstAssignedLiveIsrMemberWhenLeaderDies() {
        var decision = LeaderElection.decide(state(1, 4, List.of(1, 3, 2)), Set.of(2, 3), Set.of(2, 3), false, false);

        assertThat(decision).hasValueSatisfying(d -> {
            assertThat(d.leader()).isEqualTo(2);
            assertThat(d.leaderEpoch()).isEqualTo(5);
            assertThat(d.isr()).containsExactly(3, 2);
            assertThat(d.unclean()).isFalse();
        });
    }

    @Test
    void dropsDeadFollowerFromIsrKeepingLeaderAndEpoch() {
        var decision = LeaderElection.decide(state(1, 4, List.of(1, 2, 3)), Set.of(1, 2), Set.of(1, 2), false, false);

        assertThat(decision).hasValueSatisfying(d -> {
            assertThat(d.leader()).isEqualTo(1);
            assertThat(d.leaderEpoch()).isEqualTo(4);
            assertThat(d.isr()).containsExactly(1, 2);
        });
    }

    @Test
    void staysOfflineWithoutLiveIsrMemberWhenUncleanElectionIsOff() {
        var decision = LeaderElection.decide(state(1, 4, List.of(1)), Set.of(2, 3), Set.of(2, 3), false, false);

        assertThat(decision).hasValueSatisfying(d -> {
            assertThat(d.leader()).isEqualTo(-1);
            assertThat(d.isr()).containsExactly(1);
        });
        PartitionState offline = state(-1, 5, List.of(1));
        assertThat(LeaderElection.decide(offline, Set.of(2, 3), Set.of(2, 3), false, false))
                .isEmpty();
        assertThat(LeaderElection.decide(offline, Set.of(1, 2, 3), Set.of(1, 2, 3), false, false))
                .hasValueSatisfying(d -> assertThat(d.leader()).isEqualTo(1));
    }

    @Test
    void uncleanElectionPicksLiveReplicaAndResetsIsr() {
        var decision = LeaderElection.decide(state(1, 4, List.of(1)), Set.of(3), Set.of(3), true, false);

        assertThat(decision).hasValueSatisfying(d -> {
            assertThat(d.leader()).isEqualTo(3);
            assertThat(d.isr()).containsExactly(3);
            assertThat(d.unclean()).isTrue();
        });
    }

    @Test
    void controlledShutdownMovesLeadershipButKeepsSoleInSyncLeader() {
        var moved = LeaderElection.decide(state(1, 4, List.of(1, 2)), Set.of(2, 3), Set.of(1, 2, 3), false, false);
        assertThat(moved).hasValueSatisfying(d -> {
            assertThat(d.leader()).isEqualTo(2);
            assertThat(d.isr()).containsExactly(2);
        });

        var kept = LeaderElection.decide(state(1, 4, List.of(1)), Set.of(2, 3), Set.of(1, 2, 3), false, false);
        assertThat(kept).isEmpty();
    }

    @Test
    void preferredElectionMovesLeaderBackToFirstReplicaInIsr() {
        PartitionState moved = state(2, 4, List.of(2, 1));

        assertThat(LeaderElection.decide(moved, Set.of(1, 2, 3), Set.of(1, 2, 3), false, false))
                .isEmpty();
        assertThat(LeaderElection.decide(moved, Set.of(1, 2, 3), Set.of(1, 2, 3), false, true))
                .hasValueSatisfying(d -> {
                    assertThat(d.leader()).isEqualTo(1);
                    assertThat(d.leaderEpoch()).isEqualTo(5);
                });
        assertThat(LeaderElection.decide(state(2, 4, List.of(2, 3)), Set.of(1, 2, 3), Set.of(1, 2, 3), false, true))
                .isEmpty();
    }
}
