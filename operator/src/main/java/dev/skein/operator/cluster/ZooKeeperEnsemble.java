package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The ZooKeeper ensemble the operator runs when the spec names no external one: the official {@code zookeeper} image
 * in the StatefulSet {@code <name>-zookeeper}. Server {@code myid} is the pod ordinal + 1 (set by the command from the
 * hostname); {@code ZOO_SERVERS} lists every server by its stable DNS name under the headless Service {@code
 * <name>-zookeeper-nodes}; the brokers connect through the Service {@code <name>-zookeeper}. Pure.
 */
public final class ZooKeeperEnsemble {
    static final int CLIENT_PORT = 2181;
    static final int PEER_PORT = 2888;
    static final int ELECTION_PORT = 3888;

    private ZooKeeperEnsemble() {}

    public static StatefulSet statefulSet(ClusterModel model) {
        ClusterNames names = model.names();
        ClusterModel.Ensemble zk = model.zookeeper();
        return new StatefulSetBuilder()
                .withMetadata(ChildMeta.of(model, names.zookeeperStatefulSet(), "zookeeper"))
                .withNewSpec()
                .withReplicas(zk.replicas())
                .withServiceName(names.zookeeperNodesService())
                .withPodManagementPolicy("Parallel")
                .withNewUpdateStrategy()
                .withType("RollingUpdate")
                .endUpdateStrategy()
                .withNewSelector()
                .withMatchLabels(names.selector("zookeeper"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(names.labels("zookeeper"))
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .addNewContainer()
                .withName("zookeeper")
                .withImage(zk.image())
                .withCommand("/bin/bash", "-c")
                .withArgs("export ZOO_MY_ID=$((${HOSTNAME##*-} + 1)) && "
                        + "exec /docker-entrypoint.sh zkServer.sh start-foreground")
                .addNewEnv()
                .withName("ZOO_SERVERS")
                .withValue(servers(model))
                .endEnv()
                .addNewEnv()
                .withName("ZOO_DATA_LOG_DIR")
                .withValue("/data/log")
                .endEnv()
                .addNewEnv()
                .withName("ZOO_CFG_EXTRA")
                .withValue("quorumListenOnAllIPs=true")
                .endEnv()
                .addNewEnv()
                .withName("ZOO_4LW_COMMANDS_WHITELIST")
                .withValue("srvr,ruok")
                .endEnv()
                .addNewPort()
                .withName("client")
                .withContainerPort(CLIENT_PORT)
                .endPort()
                .addNewPort()
                .withName("peer")
                .withContainerPort(PEER_PORT)
                .endPort()
                .addNewPort()
                .withName("election")
                .withContainerPort(ELECTION_PORT)
                .endPort()
                .addNewVolumeMount()
                .withName("data")
                .withMountPath("/data")
                .endVolumeMount()
                .withNewReadinessProbe()
                .withNewExec()
                .withCommand("zkServer.sh", "status")
                .endExec()
                .withInitialDelaySeconds(5)
                .withPeriodSeconds(15)
                .withTimeoutSeconds(10)
                .endReadinessProbe()
                .withNewLivenessProbe()
                .withNewTcpSocket()
                .withPort(new IntOrString(CLIENT_PORT))
                .endTcpSocket()
                .withInitialDelaySeconds(30)
                .withPeriodSeconds(10)
                .endLivenessProbe()
                .endContainer()
                .endSpec()
                .endTemplate()
                .withVolumeClaimTemplates(ChildMeta.dataClaim(zk.storage()))
                .endSpec()
                .build();
    }

    /** {@code server.<id>=<host>:2888:3888;2181} for every server, space-separated, as the official image reads it. */
    static String servers(ClusterModel model) {
        ClusterNames names = model.names();
        return IntStream.range(0, model.zookeeper().replicas())
                .mapToObj(i -> "server." + (i + 1) + "=" + names.zookeeperStatefulSet() + "-" + i + "."
                        + names.zookeeperNodesService() + "." + names.namespace() + ".svc:" + PEER_PORT + ":"
                        + ELECTION_PORT + ";" + CLIENT_PORT)
                .collect(Collectors.joining(" "));
    }

    /** Headless Service giving each server a stable name; not-ready servers are published so a quorum can form. */
    public static Service nodesService(ClusterModel model) {
        ClusterNames names = model.names();
        return new ServiceBuilder()
                .withMetadata(ChildMeta.of(model, names.zookeeperNodesService(), "zookeeper"))
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(names.selector("zookeeper"))
                .addNewPort()
                .withName("client")
                .withPort(CLIENT_PORT)
                .endPort()
                .addNewPort()
                .withName("peer")
                .withPort(PEER_PORT)
                .endPort()
                .addNewPort()
                .withName("election")
                .withPort(ELECTION_PORT)
                .endPort()
                .endSpec()
                .build();
    }

    /** The Service the brokers' {@code zookeeper.connect} names. */
    public static Service clientService(ClusterModel model) {
        ClusterNames names = model.names();
        return new ServiceBuilder()
                .withMetadata(ChildMeta.of(model, names.zookeeperClientService(), "zookeeper"))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(names.selector("zookeeper"))
                .addNewPort()
                .withName("client")
                .withPort(CLIENT_PORT)
                .withTargetPort(new IntOrString(CLIENT_PORT))
                .endPort()
                .endSpec()
                .build();
    }

    /** One server down at a time: an ensemble of 3 or 5 keeps its quorum through drains. */
    public static PodDisruptionBudget disruptionBudget(ClusterModel model) {
        ClusterNames names = model.names();
        return new PodDisruptionBudgetBuilder()
                .withMetadata(ChildMeta.of(model, names.zookeeperDisruptionBudget(), "zookeeper"))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(names.selector("zookeeper"))
                .endSelector()
                .endSpec()
                .build();
    }
}
