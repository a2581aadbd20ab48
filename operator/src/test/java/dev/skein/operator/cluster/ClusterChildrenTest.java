package dev.skein.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClusterChildrenTest {

    @Test
    void everyNamespacedChildIsOwnedByTheClusterAndLabelled() {
        SkeinCluster cluster = ClusterFixtures.cluster("events", 3, spec -> {});
        ClusterChildren children = ClusterChildren.desired(ClusterFixtures.model(cluster), 3, null);

        assertThat(children.namespaced())
                .extracting(c -> c.getKind() + "/" + c.getMetadata().getName())
                .containsExactly(
                        "ServiceAccount/events-broker",
                        "ConfigMap/events-config",
                        "Service/events-zookeeper-nodes",
                        "Service/events-zookeeper",
                        "PodDisruptionBudget/events-zookeeper",
                        "StatefulSet/events-zookeeper",
                        "Service/events-brokers",
                        "Service/events-bootstrap",
                        "PodDisruptionBudget/events-broker",
                        "StatefulSet/events-broker");
        for (HasMetadata child : children.namespaced()) {
            assertThat(child.getMetadata().getNamespace()).isEqualTo("kafka");
            assertThat(child.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
                assertThat(ref.getApiVersion()).isEqualTo("skein.dev/v1alpha1");
                assertThat(ref.getKind()).isEqualTo("SkeinCluster");
                assertThat(ref.getName()).isEqualTo("events");
                assertThat(ref.getUid()).isEqualTo("uid-events");
                assertThat(ref.getController()).isTrue();
            });
            assertThat(child.getMetadata().getLabels())
                    .containsEntry("app.kubernetes.io/name", "skein")
                    .containsEntry("app.kubernetes.io/instance", "events")
                    .containsEntry("app.kubernetes.io/managed-by", "skein-operator")
                    .containsEntry("skein.dev/cluster", "events")
                    .containsKey("app.kubernetes.io/component");
        }
        assertThat(children.rackBinding()).isEmpty();
    }

    @Test
    void brokerStatefulSetHasStableIdsProbesAndClaims() {
        ClusterModel model = ClusterFixtures.model(spec -> {
            spec.setStorage(new StorageSpec("50Gi", "fast"));
            spec.setResources(new ResourceRequirementsBuilder()
                    .addToRequests("memory", new Quantity("1Gi"))
                    .build());
        });
        StatefulSet set = brokerSet(ClusterChildren.desired(model, 3, null));

        assertThat(set.getSpec().getReplicas()).isEqualTo(3);
        assertThat(set.getSpec().getServiceName()).isEqualTo("events-brokers");
        assertThat(set.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(set.getSpec().getSelector().getMatchLabels())
                .isEqualTo(set.getSpec().getTemplate().getMetadata().getLabels().entrySet().stream()
                        .filter(e -> !e.getKey().equals("app.kubernetes.io/managed-by"))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        Container broker = set.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(broker.getImage()).isEqualTo("ghcr.io/skein-dev/skein:" + SkeinClusterSpec.DEFAULT_VERSION);
        String command = broker.getArgs().get(0);
        assertThat(command)
                .contains("-Dkafka.broker.id=${HOSTNAME##*-}")
                .contains("-Dkafka.advertised.listeners=PLAINTEXT://${HOSTNAME}.events-brokers.kafka.svc:9092")
                .contains("-Dskein.config-file=/etc/skein/server.properties")
                .doesNotContain("broker.rack");
        assertThat(broker.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(broker.getReadinessProbe().getHttpGet().getPort().getStrVal())
                .isEqualTo("http");
        assertThat(broker.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(broker.getPorts())
                .extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly("kafka:9092", "http:8080");
        assertThat(broker.getResources().getRequests()).containsEntry("memory", new Quantity("1Gi"));
        assertThat(set.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getMetadata().getName()).isEqualTo("data");
            assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
            assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("50Gi"));
        });
    }

    @Test
    void imageOverridesVersion() {
        assertThat(ClusterFixtures.model(spec -> spec.setVersion("0.2.0")).image())
                .isEqualTo("ghcr.io/skein-dev/skein:0.2.0");
        assertThat(ClusterFixtures.model(spec -> {
                            spec.setVersion("0.2.0");
                            spec.setImage("registry.local/skein:dev");
                        })
                        .image())
                .isEqualTo("registry.local/skein:dev");
    }

    @Test
    void servicesExposeKafkaAndHttpPorts() {
        ClusterModel model = ClusterFixtures.model(spec -> spec.setListeners(new ListenersSpec(9094)));
        Service headless = BrokerResources.brokersService(model);
        Service bootstrap = BrokerResources.bootstrapService(model);

        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(ports(headless)).containsExactly("kafka:9094->9094", "http:8080->8080");
        assertThat(bootstrap.getMetadata().getName()).isEqualTo("events-bootstrap");
        assertThat(ports(bootstrap)).containsExactly("kafka:9092->9094", "http:8080->8080");
        assertThat(bootstrap.getSpec().getSelector()).isEqualTo(model.names().selector("broker"));
        assertThat(model.names().bootstrapServers()).isEqualTo("events-bootstrap.kafka.svc:9092");
    }

    @Test
    void disruptionBudgetAllowsOneBrokerDown() {
        PodDisruptionBudget pdb = BrokerResources.disruptionBudget(ClusterFixtures.model(spec -> {}));
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "broker")
                .containsEntry("skein.dev/cluster", "events");
    }

    @Test
    void configMapHoldsRenderedPropertiesWithOperatorKeys() {
        ClusterModel model = ClusterFixtures.model(spec -> spec.getConfig().put("log.retention.ms", "1000"));
        ConfigMap map = BrokerResources.configMap(model, BrokerConfigFile.render(model));
        String file = map.getData().get("server.properties");
        assertThat(file)
                .contains("listeners=PLAINTEXT://:9092\n")
                .contains("log.dirs=/var/lib/skein/data\n")
                .contains("zookeeper.connect=events-zookeeper.kafka.svc:2181\n")
                .contains("log.retention.ms=1000\n")
                .contains("num.partitions=3\n");
    }

    @Test
    void configChangeChangesPodTemplateHashAndNothingElseDoes() {
        String base = hash(ClusterFixtures.model(spec -> {}));
        assertThat(hash(ClusterFixtures.model(spec -> {}))).isEqualTo(base);
        assertThat(hash(ClusterFixtures.model(spec -> spec.getConfig().put("num.partitions", "4"))))
                .isNotEqualTo(base);
        assertThat(hash(ClusterFixtures.model(spec -> spec.setZookeeper(connect("zk:2181")))))
                .isNotEqualTo(base);
        StatefulSet set = brokerSet(ClusterChildren.desired(ClusterFixtures.model(spec -> {}), 3, null));
        assertThat(set.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(ClusterNames.CONFIG_HASH_ANNOTATION, base);
    }

    @Test
    void rackAwarenessAddsInitContainerSpreadAndBinding() {
        ClusterModel model = ClusterFixtures.model(spec -> spec.setRack(new RackSpec("topology.kubernetes.io/zone")));
        ClusterChildren children = ClusterChildren.desired(model, 3, null);
        PodSpec pod = brokerSet(children).getSpec().getTemplate().getSpec();

        assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getImage()).isEqualTo(RackSpec.DEFAULT_INIT_IMAGE);
            assertThat(init.getArgs().get(0))
                    .contains("kubectl get node \"$NODE_NAME\"")
                    .contains("{.metadata.labels.topology\\.kubernetes\\.io/zone}")
                    .contains("> /etc/skein-rack/rack");
            assertThat(init.getEnv().get(0).getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("spec.nodeName");
        });
        assertThat(pod.getContainers().get(0).getArgs().get(0))
                .contains("-Dkafka.broker.rack=\"$(cat /etc/skein-rack/rack)\"");
        assertThat(pod.getTopologySpreadConstraints()).singleElement().satisfies(tsc -> {
            assertThat(tsc.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
            assertThat(tsc.getMaxSkew()).isEqualTo(1);
            assertThat(tsc.getLabelSelector().getMatchLabels())
                    .isEqualTo(model.names().selector("broker"));
        });
        assertThat(pod.getServiceAccountName()).isEqualTo("events-broker");
        assertThat(pod.getAutomountServiceAccountToken()).isTrue();

        ClusterRoleBinding binding = children.rackBinding().orElseThrow();
        assertThat(binding.getMetadata().getName()).isEqualTo("skein-broker-rack-kafka-events");
        assertThat(binding.getMetadata().getOwnerReferences()).isEmpty();
        assertThat(binding.getRoleRef().getName()).isEqualTo(BrokerPodTemplate.RACK_CLUSTER_ROLE);
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo("events-broker");
            assertThat(s.getNamespace()).isEqualTo("kafka");
        });
    }

    @Test
    void withoutRackBrokersDoNotMountAToken() {
        PodSpec pod = brokerSet(ClusterChildren.desired(ClusterFixtures.model(spec -> {}), 3, null))
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getInitContainers()).isEmpty();
        assertThat(pod.getTopologySpreadConstraints()).isEmpty();
    }

    @Test
    void externalZooKeeperRunsNoEnsemble() {
        ClusterModel model = ClusterFixtures.model(spec -> spec.setZookeeper(connect("zk-0.zk:2181/skein")));
        ClusterChildren children = ClusterChildren.desired(model, 3, null);
        assertThat(children.namespaced())
                .noneMatch(c -> c.getMetadata().getName().contains("zookeeper"));
        assertThat(BrokerConfigFile.render(model).text()).contains("zookeeper.connect=zk-0.zk:2181/skein\n");
    }

    @Test
    void zookeeperEnsembleListsEveryServerByStableName() {
        ZooKeeperSpec zk = new ZooKeeperSpec();
        zk.setReplicas(3);
        ClusterModel model = ClusterFixtures.model(spec -> spec.setZookeeper(zk));
        StatefulSet set = ZooKeeperEnsemble.statefulSet(model);

        assertThat(set.getSpec().getReplicas()).isEqualTo(3);
        assertThat(set.getSpec().getServiceName()).isEqualTo("events-zookeeper-nodes");
        assertThat(ZooKeeperEnsemble.servers(model))
                .isEqualTo("server.1=events-zookeeper-0.events-zookeeper-nodes.kafka.svc:2888:3888;2181 "
                        + "server.2=events-zookeeper-1.events-zookeeper-nodes.kafka.svc:2888:3888;2181 "
                        + "server.3=events-zookeeper-2.events-zookeeper-nodes.kafka.svc:2888:3888;2181");
        assertThat(set.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getArgs()
                        .get(0))
                .contains("ZOO_MY_ID=$((${HOSTNAME##*-} + 1))");
        assertThat(ZooKeeperEnsemble.nodesService(model).getSpec().getPublishNotReadyAddresses())
                .isTrue();
    }

    @Test
    void existingClaimTemplatesAreKeptBecauseTheyAreImmutable() {
        ClusterModel original = ClusterFixtures.model(spec -> spec.setStorage(new StorageSpec("10Gi", null)));
        var claims =
                brokerSet(ClusterChildren.desired(original, 3, null)).getSpec().getVolumeClaimTemplates();
        ClusterModel resized = ClusterFixtures.model(spec -> spec.setStorage(new StorageSpec("99Gi", null)));
        assertThat(brokerSet(ClusterChildren.desired(resized, 3, claims))
                        .getSpec()
                        .getVolumeClaimTemplates())
                .isEqualTo(claims);
    }

    @Test
    void scaleDecisionSizesTheStatefulSet() {
        assertThat(brokerSet(ClusterChildren.desired(ClusterFixtures.model(spec -> {}), 5, null))
                        .getSpec()
                        .getReplicas())
                .isEqualTo(5);
    }

    private static ZooKeeperSpec connect(String connect) {
        ZooKeeperSpec zk = new ZooKeeperSpec();
        zk.setConnect(connect);
        return zk;
    }

    private static String hash(ClusterModel model) {
        return BrokerConfigFile.render(model).hash();
    }

    private static StatefulSet brokerSet(ClusterChildren children) {
        return children.namespaced().stream()
                .filter(c ->
                        c instanceof StatefulSet && c.getMetadata().getName().endsWith("-broker"))
                .map(StatefulSet.class::cast)
                .findFirst()
                .orElseThrow();
    }

    private static List<String> ports(Service service) {
        return service.getSpec().getPorts().stream()
                .map(ServicePort.class::cast)
                .map(p -> p.getName() + ":" + p.getPort() + "->"
                        + p.getTargetPort().getIntVal())
                .toList();
    }
}
