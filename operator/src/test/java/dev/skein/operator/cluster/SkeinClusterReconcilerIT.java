package dev.skein.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithKubernetesTestServer(crud = true)
class SkeinClusterReconcilerIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    KubernetesClient client;

    @Test
    void createsOwnedChildrenWithLabels() {
        SkeinCluster cluster = client.resource(cluster("alpha", 3, Map.of("num.partitions", "3")))
                .create();
        String ns = cluster.getMetadata().getNamespace();

        StatefulSet brokers = await().atMost(WAIT)
                .until(
                        () -> client.apps()
                                .statefulSets()
                                .inNamespace(ns)
                                .withName("alpha-broker")
                                .get(),
                        s -> s != null);
        assertThat(brokers.getSpec().getReplicas()).isEqualTo(3);
        assertOwnedAndLabelled(brokers, cluster);
        assertOwnedAndLabelled(
                client.services().inNamespace(ns).withName("alpha-brokers").get(), cluster);
        assertOwnedAndLabelled(
                client.services().inNamespace(ns).withName("alpha-bootstrap").get(), cluster);
        assertOwnedAndLabelled(
                client.configMaps().inNamespace(ns).withName("alpha-config").get(), cluster);
        assertOwnedAndLabelled(
                client.policy()
                        .v1()
                        .podDisruptionBudget()
                        .inNamespace(ns)
                        .withName("alpha-broker")
                        .get(),
                cluster);
        assertOwnedAndLabelled(
                client.apps()
                        .statefulSets()
                        .inNamespace(ns)
                        .withName("alpha-zookeeper")
                        .get(),
                cluster);

        SkeinCluster observed = await().atMost(WAIT)
                .until(
                        () -> client.resource(cluster).get(),
                        c -> c.getStatus() != null && c.getStatus().condition(ClusterCondition.READY) != null);
        assertThat(observed.getStatus().getBootstrapServers()).isEqualTo("alpha-bootstrap." + ns + ".svc:9092");
        assertThat(observed.getStatus().condition(ClusterCondition.READY).getReason())
                .isEqualTo(ClusterReason.BrokersNotReady);
    }

    private static void assertOwnedAndLabelled(HasMetadata child, SkeinCluster owner) {
        assertThat(child).as("child").isNotNull();
        assertThat(child.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getUid()).isEqualTo(owner.getMetadata().getUid());
            assertThat(ref.getKind()).isEqualTo("SkeinCluster");
            assertThat(ref.getController()).isTrue();
        });
        assertThat(child.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/instance", owner.getMetadata().getName())
                .containsEntry("app.kubernetes.io/managed-by", "skein-operator")
                .containsEntry("skein.dev/cluster", owner.getMetadata().getName());
    }

    static SkeinCluster cluster(String name, int replicas, Map<String, String> config) {
        SkeinCluster cluster = new SkeinCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).build());
        SkeinClusterSpec spec = new SkeinClusterSpec();
        spec.setReplicas(replicas);
        spec.setConfig(new java.util.LinkedHashMap<>(config));
        cluster.setSpec(spec);
        return cluster;
    }
}
