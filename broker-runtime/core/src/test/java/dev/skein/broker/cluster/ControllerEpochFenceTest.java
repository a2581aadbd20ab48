package dev.skein.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.common.errors.ControllerMovedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ControllerEpochFenceTest {
    private TestingServer zookeeper;
    private CuratorFramework first;
    private CuratorFramework second;

    @BeforeEach
    void start() throws Exception {
        zookeeper = new TestingServer(true);
        first = connect();
        second = connect();
    }

    @AfterEach
    void stop() throws Exception {
        first.close();
        second.close();
        zookeeper.close();
    }

    private CuratorFramework connect() throws InterruptedException {
        CuratorFramework client =
                CuratorFrameworkFactory.newClient(zookeeper.getConnectString(), new RetryOneTime(100));
        client.start();
        client.blockUntilConnected();
        return client;
    }

    @Test
    void electionCreatesControllerAndIncrementsEpochTogether() throws Exception {
        ControllerEpochFence won = ControllerEpochFence.tryElect(first, 1, 0).orElseThrow();

        assertThat(won.epoch()).isEqualTo(1);
        assertThat(ZkJson.parseControllerId(first.getData().forPath("/controller")))
                .isEqualTo(1);
        assertThat(ControllerEpochFence.tryElect(second, 2, 0)).isEmpty();
        assertThat(new String(first.getData().forPath("/controller_epoch"), StandardCharsets.UTF_8))
                .isEqualTo("1");
    }

    @Test
    void zombieControllerCannotWriteAfterNewEpoch() throws Exception {
        ControllerEpochFence zombie = ControllerEpochFence.tryElect(first, 1, 0).orElseThrow();
        first.create().forPath("/probe", bytes("before"));
        // The first controller's session "expires" (its /controller goes) while it is paused; another is elected.
        first.delete().forPath("/controller");
        ControllerEpochFence successor =
                ControllerEpochFence.tryElect(second, 2, 0).orElseThrow();
        assertThat(successor.epoch()).isEqualTo(2);

        assertThatThrownBy(() ->
                        zombie.commit(List.of(first.transactionOp().setData().forPath("/probe", bytes("zombie")))))
                .isInstanceOf(ControllerMovedException.class);
        assertThat(new String(first.getData().forPath("/probe"), StandardCharsets.UTF_8))
                .isEqualTo("before");

        successor.commit(List.of(second.transactionOp().setData().forPath("/probe", bytes("successor"))));
        assertThat(new String(first.getData().forPath("/probe"), StandardCharsets.UTF_8))
                .isEqualTo("successor");
    }

    @Test
    void failingOperationOfTheControllerItselfIsNotReportedAsFencing() throws Exception {
        ControllerEpochFence fence = ControllerEpochFence.tryElect(first, 1, 0).orElseThrow();
        first.create().forPath("/probe", bytes("v0"));

        assertThatThrownBy(() -> fence.commit(
                        List.of(first.transactionOp().setData().withVersion(7).forPath("/probe", bytes("v1")))))
                .isInstanceOf(org.apache.zookeeper.KeeperException.BadVersionException.class);
        assertThat(Optional.of(fence.epoch())).contains(1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
