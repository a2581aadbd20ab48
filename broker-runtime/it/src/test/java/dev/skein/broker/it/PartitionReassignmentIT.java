package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AlterPartitionReassignments moves a replica (here the leader's) to another broker without losing records. */
class PartitionReassignmentIT {
    @TempDir
    Path dir;

    @Test
    void reassignmentMovesReplicasToTheTargetBrokersWithTheirData() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 4, Map.of())) {
            TopicPartition tp = new TopicPartition("moved", 0);
            Admin admin = cluster.admin();
            // Round-robin over brokers 1..4 puts partition 0 on 1, 2, 3 with 1 leading.
            cluster.createTopic(tp.topic(), 1, 3, Map.of("min.insync.replicas", "2"));
            assertThat(cluster.state(tp).replicas()).containsExactly(1, 2, 3);
            assertThat(cluster.awaitLeader(tp)).isEqualTo(1);
            Map<Long, String> acknowledged = new TreeMap<>();
            ReplicationFailoverIT.send(cluster.producer(Map.of()), tp, "before", 20, acknowledged);

            admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(4, 2, 3)))))
                    .all()
                    .get();
            cluster.await(
                    "the partition moved to brokers 4, 2, 3",
                    tp,
                    state -> state.replicas().equals(List.of(4, 2, 3))
                            && state.isr().size() == 3);

            int leader = cluster.awaitLeader(tp);
            assertThat(leader).isIn(4, 2, 3);
            assertThat(cluster.broker(1).partitions().get(tp)).isEmpty();
            assertThat(ReplicationFailoverIT.values(ReplicationFailoverIT.log(cluster, 4, tp), 20))
                    .isEqualTo(List.copyOf(acknowledged.values()));
            try (ZnodeWatch request = ZnodeWatch.start(cluster.zookeeperConnect(), "/admin/reassign_partitions")) {
                request.await("the finished request is removed", data -> data == null, 30_000);
            }
            assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
            ReplicationFailoverIT.send(cluster.producer(Map.of()), tp, "after", 5, acknowledged);
            assertThat(ReplicationFailoverIT.consumeAll(cluster, tp, 25)).isEqualTo(acknowledged);
        }
    }
}
