package dev.skein.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.operator.status.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The operator against the fabric8 mock API server (CRUD mode) and, for the scale-down guard, a real Skein broker with
 * {@code broker.id=1} that holds every partition (see {@link BrokerOneResource}).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = BrokerOneResource.class, restrictToAnnotatedClass = true)
class SkeinClusterReconcilerIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    KubernetesClient client;

    @KubernetesTestServer
    KubernetesServer server;

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
                        c -> c.getStatus() != null
                                && c.getStatus().condition(Condition.READY).isPresent());
        assertThat(observed.getStatus().getBootstrapServers()).isEqualTo("alpha-bootstrap." + ns + ".svc:9092");
        assertThat(observed.getStatus().condition(Condition.READY).orElseThrow().getReason())
                .isEqualTo(ClusterReason.BrokersNotReady.name());
    }

    @Test
    void configChangeBumpsPodTemplateHash() {
        SkeinCluster cluster = client.resource(cluster("beta", 1, Map.of("num.partitions", "1")))
                .create();
        String before = configHash(awaitBrokerSet(cluster, 1));

        editSpec(cluster, spec -> spec.getConfig().put("num.partitions", "6"));

        String after = await().atMost(WAIT).until(() -> configHash(brokerSet(cluster)), hash -> !hash.equals(before));
        assertThat(after).hasSize(16);
        ConfigMap config = client.configMaps()
                .inNamespace(cluster.getMetadata().getNamespace())
                .withName("beta-config")
                .get();
        assertThat(config.getData().get("server.properties")).contains("num.partitions=6");
    }

    @Test
    void scaleDownIsRefusedWhilePartitionsHaveReplicasOnLeavingBrokers() throws Exception {
        createTopicOnBrokerOne("guarded");
        SkeinCluster cluster = client.resource(cluster("gamma", 2, Map.of())).create();
        awaitBrokerSet(cluster, 2);

        editSpec(cluster, spec -> spec.setReplicas(1));

        SkeinCluster blocked = await().atMost(WAIT)
                .until(() -> client.resource(cluster).get(), c -> reason(c) == ClusterReason.ScaleDownBlocked);
        Condition ready = blocked.getStatus().condition(Condition.READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getMessage()).contains("guarded-0").contains("from 2 to 1");
        assertThat(blocked.getStatus().getReplicas()).isEqualTo(2);
        assertThat(brokerSet(cluster).getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void scaleDownProceedsWhenLeavingBrokersHoldNoReplicas() throws Exception {
        createTopicOnBrokerOne("kept");
        SkeinCluster cluster = client.resource(cluster("delta", 3, Map.of())).create();
        awaitBrokerSet(cluster, 3);

        editSpec(cluster, spec -> spec.setReplicas(2));

        awaitBrokerSet(cluster, 2);
        SkeinCluster scaled = await().atMost(WAIT)
                .until(
                        () -> client.resource(cluster).get(),
                        c -> c.getStatus() != null
                                && Integer.valueOf(2).equals(c.getStatus().getReplicas()));
        assertThat(reason(scaled)).isEqualTo(ClusterReason.BrokersNotReady);
    }

    /**
     * Two passes over a cluster whose spec and children did not change write no status. A pass is triggered by
     * labelling a child (the informer of owned children reports it; the label is not one the operator sets, so the
     * children still match) and recognised by the one API call every pass makes without rack awareness: deleting the
     * (absent) rack binding.
     */
    @Test
    void passesOverAnUnchangedClusterWriteNoStatus() throws Exception {
        SkeinCluster cluster = client.resource(cluster("steady", 1, Map.of())).create();
        String ns = cluster.getMetadata().getNamespace();
        await().atMost(WAIT).until(() -> reason(client.resource(cluster).get()) == ClusterReason.BrokersNotReady);
        ApiCalls calls = new ApiCalls(server);
        // the passes caused by creating the children may still see the resource without its first status
        calls.awaitQuiet("steady");
        String rackBinding = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/"
                + ClusterNames.of(latest(cluster).get()).rackBinding();
        int passesBefore = calls.count("DELETE", rackBinding);

        for (int pass = 1; pass <= 2; pass++) {
            String value = Integer.toString(pass);
            client.services().inNamespace(ns).withName("steady-bootstrap").edit(s -> {
                s.getMetadata().getLabels().put("test.skein.dev/touch", value);
                return s;
            });
            int expected = passesBefore + pass;
            await().atMost(WAIT).until(() -> calls.count("DELETE", rackBinding) >= expected);
        }

        String status = "/apis/skein.dev/v1alpha1/namespaces/" + ns + "/skeinclusters/steady/status";
        assertThat(calls.count("PATCH", status) + calls.count("PUT", status))
                .as("status writes during two passes over an unchanged cluster")
                .isZero();
        assertThat(reason(client.resource(cluster).get())).isEqualTo(ClusterReason.BrokersNotReady);
    }

    /** The requests the mock API server received from the moment this is created, by method and path. */
    private static final class ApiCalls {
        private final KubernetesServer server;
        private final List<String> seen = new ArrayList<>();

        ApiCalls(KubernetesServer server) throws InterruptedException {
            this.server = server;
            while (next() != null) {
                // drop what came before
            }
        }

        /** How many requests with {@code method} on {@code path} (query ignored) arrived so far. */
        synchronized int count(String method, String path) throws InterruptedException {
            for (RecordedRequest request = next(); request != null; request = next()) {
                String requestPath = request.getPath();
                int query = requestPath.indexOf('?');
                seen.add(request.getMethod() + " " + (query < 0 ? requestPath : requestPath.substring(0, query)));
            }
            String call = method + " " + path;
            return (int) seen.stream().filter(call::equals).count();
        }

        /**
         * Waits until no request whose path contains {@code word} arrived for a second: the passes caused by earlier
         * changes are over.
         */
        void awaitQuiet(String word) {
            int[] last = {-1};
            await().atMost(WAIT)
                    .pollInterval(Duration.ofMillis(100))
                    .during(Duration.ofSeconds(1))
                    .until(() -> {
                        int now = count(word);
                        boolean quiet = now == last[0];
                        last[0] = now;
                        return quiet;
                    });
        }

        private synchronized int count(String word) throws InterruptedException {
            count("", "");
            return (int) seen.stream().filter(call -> call.contains(word)).count();
        }

        private RecordedRequest next() throws InterruptedException {
            return server.getKubernetesMockServer().takeRequest(10, TimeUnit.MILLISECONDS);
        }
    }

    private void createTopicOnBrokerOne(String topic) throws Exception {
        String bootstrap = ConfigProvider.getConfig().getValue("skein.operator.bootstrap-servers", String.class);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<Integer> replicas = admin
                    .describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .get(0)
                    .replicas()
                    .stream()
                    .map(Node::id)
                    .toList();
            assertThat(replicas).containsExactly(BrokerOneResource.BROKER_ID);
        }
    }

    /**
     * Edits the spec as a user would: from the latest version, again when the operator wrote the resource in between
     * (a finalizer, a status) and the API server answered 409 Conflict.
     */
    private void editSpec(SkeinCluster cluster, Consumer<SkeinClusterSpec> change) {
        await().atMost(WAIT)
                .ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .until(() -> {
                    latest(cluster).edit(c -> {
                        change.accept(c.getSpec());
                        return c;
                    });
                    return true;
                });
    }

    /** The cluster by name, so an edit starts from the latest version (the operator adds a finalizer). */
    private Resource<SkeinCluster> latest(SkeinCluster cluster) {
        return client.resources(SkeinCluster.class)
                .inNamespace(cluster.getMetadata().getNamespace())
                .withName(cluster.getMetadata().getName());
    }

    private StatefulSet awaitBrokerSet(SkeinCluster cluster, int replicas) {
        return await().atMost(WAIT)
                .until(() -> brokerSet(cluster), s -> s != null && s.getSpec().getReplicas() == replicas);
    }

    private StatefulSet brokerSet(SkeinCluster cluster) {
        return client.apps()
                .statefulSets()
                .inNamespace(cluster.getMetadata().getNamespace())
                .withName(cluster.getMetadata().getName() + "-broker")
                .get();
    }

    private static String configHash(StatefulSet set) {
        return set.getSpec().getTemplate().getMetadata().getAnnotations().get(ClusterNames.CONFIG_HASH_ANNOTATION);
    }

    private static ClusterReason reason(SkeinCluster cluster) {
        if (cluster == null || cluster.getStatus() == null) {
            return null;
        }
        return cluster.getStatus()
                .condition(Condition.READY)
                .map(ready -> ClusterReason.valueOf(ready.getReason()))
                .orElse(null);
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
        spec.setConfig(new LinkedHashMap<>(config));
        cluster.setSpec(spec);
        return cluster;
    }
}
