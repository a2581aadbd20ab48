package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.broker.cluster.BrokerRegistration;
import dev.skein.broker.cluster.SessionExpiry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's ZooKeeper session expires (as after a long GC pause): another broker is elected with a higher
 * epoch, leadership changes afterwards are stamped with the new epoch, and the expired broker re-registers and
 * rejoins instead of looking dead.
 */
class ControllerFailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void expiredControllerIsReplacedByAHigherEpochAndItsBrokerRejoins() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 3, Map.of());
                ZnodeWatch controller = ZnodeWatch.start(cluster.zookeeperConnect(), "/controller");
                ZnodeWatch epoch = ZnodeWatch.start(cluster.zookeeperConnect(), "/controller_epoch")) {
            TopicPartition tp = new TopicPartition("fenced", 0);
            cluster.createTopic(tp.topic(), 1, 3, Map.of("min.insync.replicas", "2"));
            cluster.awaitLeader(tp);
            int oldController = brokerId(controller.await("a controller", Objects::nonNull, 30_000));
            int oldEpoch = Integer.parseInt(epoch.await("an epoch", Objects::nonNull, 30_000));

            SessionExpiry.expire(cluster.broker(oldController).metadata());

            int newEpoch = Integer.parseInt(epoch.await(
                    "a new controller epoch", text -> text != null && Integer.parseInt(text) > oldEpoch, 30_000));
            assertThat(newEpoch).isEqualTo(oldEpoch + 1);
            cluster.await(
                    "the expired broker is registered again",
                    tp,
                    state -> cluster.anyBroker().metadata().liveBrokers().stream()
                            .map(BrokerRegistration::id)
                            .toList()
                            .contains(oldController));
            cluster.await("all replicas in sync", tp, state -> state.isr().size() == 3);

            int leader = cluster.awaitLeader(tp);
            cluster.stopBroker(leader);
            int next = cluster.awaitLeader(tp);
            assertThat(next).isNotEqualTo(leader);
            // Written by the new controller (or a later one, if the stopped leader was it), never the expired one.
            assertThat(cluster.state(tp).controllerEpoch()).isGreaterThanOrEqualTo(newEpoch);
            KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of());
            ReplicationFailoverIT.send(producer, tp, "after", 5, new java.util.TreeMap<>());
            assertThat(cluster.state(tp).isr()).hasSize(2).doesNotContain(leader);
        }
    }

    private static int brokerId(String controllerJson) throws Exception {
        return JSON.readTree(controllerJson).get("brokerid").asInt();
    }
}
