package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.cluster.BrokerRegistration;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Controlled shutdown and preferred-leader election in a three-broker cluster. */
class LeaderBalancingIT {
    @TempDir
    Path dir;

    @Test
    void controlledShutdownMovesLeadershipWhileTheBrokerIsStillRegistered() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 3, Map.of())) {
            TopicPartition tp = new TopicPartition("moving", 0);
            cluster.createTopic(tp.topic(), 1, 3, Map.of());
            int leader = cluster.awaitLeader(tp);

            boolean moved = cluster.broker(leader).metadata().requestControlledShutdown(leader, 10_000);

            assertThat(moved).isTrue();
            assertThat(cluster.state(tp).leader()).isNotEqualTo(leader);
            assertThat(cluster.state(tp).isr()).doesNotContain(leader);
            assertThat(cluster.broker(leader).metadata().liveBrokers())
                    .extracting(BrokerRegistration::id)
                    .contains(leader);
        }
    }

    @Test
    void electLeadersMovesLeadershipBackToThePreferredReplica() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 3, Map.of())) {
            TopicPartition tp = new TopicPartition("preferred", 0);
            cluster.createTopic(tp.topic(), 1, 3, Map.of());
            int leader = cluster.awaitLeader(tp);
            int preferred = cluster.state(tp).replicas().get(0);
            assertThat(leader).isEqualTo(preferred);
            cluster.stopBroker(preferred);
            cluster.startBroker(preferred);
            cluster.await("the preferred replica is back in sync", tp, state -> state.isr()
                    .contains(preferred));
            assertThat(cluster.state(tp).leader()).isNotEqualTo(preferred);
            Admin admin = cluster.admin();

            admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).all().get();

            assertThat(cluster.awaitLeader(tp)).isEqualTo(preferred);
            Map<TopicPartition, java.util.Optional<Throwable>> again = admin.electLeaders(
                            ElectionType.PREFERRED, Set.of(tp))
                    .partitions()
                    .get();
            assertThat(again.get(tp)).containsInstanceOf(ElectionNotNeededException.class);
        }
    }
}
