package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
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

    private static final String COMPONENT = "zookeeper";

    private ZooKeeperEnsemble() {}

    public static StatefulSet statefulSet(ClusterModel model) {
        ClusterNames names = model.names();
        ClusterModel.Ensemble zk = model.zookeeper();
        return ChildShapes.statefulSet(
                model,
                names.zookeeperStatefulSet(),
                COMPONENT,
                zk.replicas(),
                names.zookeeperNodesService(),
                podTemplate(model),
                List.of(ChildShapes.dataClaim(zk.storage())));
    }

    /** One server: the official image, {@code myid} from the pod ordinal, the whole ensemble in ZOO_SERVERS. */
    private static PodTemplateSpec podTemplate(ClusterModel model) {
        return new PodTemplateSpecBuilder()
                .withNewMetadata()
                .withLabels(model.names().labels(COMPONENT))
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .addNewContainer()
                .withName("zookeeper")
                .withImage(model.zookeeper().image())
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
        return ChildShapes.headlessService(
                model,
                model.names().zookeeperNodesService(),
                COMPONENT,
                ChildShapes.port("client", CLIENT_PORT, null),
                ChildShapes.port("peer", PEER_PORT, null),
                ChildShapes.port("election", ELECTION_PORT, null));
    }

    /** The Service the brokers' {@code zookeeper.connect} names. */
    public static Service clientService(ClusterModel model) {
        return ChildShapes.clusterIpService(
                model,
                model.names().zookeeperClientService(),
                COMPONENT,
                ChildShapes.port("client", CLIENT_PORT, CLIENT_PORT));
    }

    /** One server down at a time: an ensemble of 3 or 5 keeps its quorum through drains. */
    public static PodDisruptionBudget disruptionBudget(ClusterModel model) {
        return ChildShapes.oneUnavailable(model, model.names().zookeeperDisruptionBudget(), COMPONENT);
    }
}
