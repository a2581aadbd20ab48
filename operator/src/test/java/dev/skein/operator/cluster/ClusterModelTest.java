package dev.skein.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClusterModelTest {

    @Test
    void defaultsApplyWhenOptionalFieldsAreMissing() {
        ClusterModel model = ClusterFixtures.model(spec -> {});
        assertThat(model.replicas()).isEqualTo(3);
        assertThat(model.plainPort()).isEqualTo(9092);
        assertThat(model.storage().getSize()).isEqualTo("10Gi");
        assertThat(model.storage().getStorageClass()).isNull();
        assertThat(model.runsZookeeper()).isTrue();
        assertThat(model.zookeeper().replicas()).isEqualTo(1);
        assertThat(model.zookeeper().image()).isEqualTo("docker.io/library/zookeeper:3.9");
        assertThat(model.effectiveZookeeperConnect()).isEqualTo("events-zookeeper.kafka.svc:2181");
        assertThat(model.rack()).isEmpty();
    }

    @Test
    void reservedBrokerKeysAreRejectedWithTheirNames() {
        SkeinCluster cluster = ClusterFixtures.cluster("events", 3, spec -> {
            spec.getConfig().put("broker.id", "7");
            spec.getConfig().put("log.dirs", "/tmp");
        });
        assertThat(ClusterModel.from(cluster))
                .isInstanceOfSatisfying(ClusterModel.Invalid.class, invalid -> assertThat(invalid.problems())
                        .singleElement()
                        .asString()
                        .contains("[broker.id, log.dirs]")
                        .contains("spec.config"));
    }

    @Test
    void zeroReplicasIsInvalid() {
        assertThat(ClusterModel.from(ClusterFixtures.cluster("events", 0, spec -> {})))
                .isInstanceOfSatisfying(ClusterModel.Invalid.class, invalid -> assertThat(invalid.problems())
                        .singleElement()
                        .asString()
                        .contains("spec.replicas must be at least 1"));
    }

    @Test
    void externalConnectAndEnsembleSizeTogetherAreInvalid() {
        ZooKeeperSpec zk = new ZooKeeperSpec();
        zk.setConnect("zk:2181");
        zk.setReplicas(3);
        assertThat(ClusterModel.from(ClusterFixtures.cluster("events", 3, spec -> spec.setZookeeper(zk))))
                .isInstanceOfSatisfying(ClusterModel.Invalid.class, invalid -> assertThat(invalid.problems())
                        .singleElement()
                        .asString()
                        .contains("spec.zookeeper"));
    }

    @Test
    void kafkaPortMayNotTakeTheHttpPort() {
        assertThat(ClusterModel.from(
                        ClusterFixtures.cluster("events", 3, spec -> spec.setListeners(new ListenersSpec(8080)))))
                .isInstanceOf(ClusterModel.Invalid.class);
    }
}
