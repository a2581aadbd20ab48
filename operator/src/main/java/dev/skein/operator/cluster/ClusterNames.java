package dev.skein.operator.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names and labels of everything the operator creates for the SkeinCluster {@code name} in {@code namespace}. The
 * broker pods are {@code <name>-broker-<ordinal>}; the ordinal is the broker id.
 *
 * @param name the SkeinCluster's name
 * @param namespace its namespace
 */
public record ClusterNames(String name, String namespace) {
    /** Label naming the SkeinCluster a child (or a Topic) belongs to. */
    public static final String CLUSTER_LABEL = "skein.dev/cluster";
    /** Pod-template annotation holding the hash of the rendered broker configuration. */
    public static final String CONFIG_HASH_ANNOTATION = "skein.dev/config-hash";
    /** Port of the bootstrap Service, whatever port the brokers listen on. */
    public static final int BOOTSTRAP_PORT = 9092;
    /** The brokers' REST admin, health and metrics port. */
    public static final int HTTP_PORT = 8080;
    /** Value of {@code app.kubernetes.io/managed-by} on every child. */
    public static final String MANAGED_BY = "skein-operator";

    /** Names for {@code cluster}. */
    public static ClusterNames of(SkeinCluster cluster) {
        return new ClusterNames(
                cluster.getMetadata().getName(), cluster.getMetadata().getNamespace());
    }

    public String brokerStatefulSet() {
        return name + "-broker";
    }

    /** Headless Service giving each broker pod a stable DNS name. */
    public String brokersService() {
        return name + "-brokers";
    }

    public String bootstrapService() {
        return name + "-bootstrap";
    }

    public String configMap() {
        return name + "-config";
    }

    public String brokerDisruptionBudget() {
        return name + "-broker";
    }

    public String brokerServiceAccount() {
        return name + "-broker";
    }

    public String zookeeperStatefulSet() {
        return name + "-zookeeper";
    }

    /** Headless Service of the ZooKeeper servers (peer and election ports). */
    public String zookeeperNodesService() {
        return name + "-zookeeper-nodes";
    }

    /** ClusterIP Service the brokers connect to. */
    public String zookeeperClientService() {
        return name + "-zookeeper";
    }

    public String zookeeperDisruptionBudget() {
        return name + "-zookeeper";
    }

    /** Cluster-scoped binding letting the brokers read their node's labels; not owned, removed by the finalizer. */
    public String rackBinding() {
        return "skein-broker-rack-" + namespace + "-" + name;
    }

    /** DNS name of broker {@code ordinal}. */
    public String brokerHost(int ordinal) {
        return brokerStatefulSet() + "-" + ordinal + "." + brokersService() + "." + namespace + ".svc";
    }

    public String bootstrapServers() {
        return bootstrapService() + "." + namespace + ".svc:" + BOOTSTRAP_PORT;
    }

    /** Labels of every child of {@code component} (broker or zookeeper). */
    public Map<String, String> labels(String component) {
        Map<String, String> labels = new LinkedHashMap<>(selector(component));
        labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
        return labels;
    }

    /** Labels selecting the pods of {@code component}: a subset of {@link #labels} that never changes. */
    public Map<String, String> selector(String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "skein");
        labels.put("app.kubernetes.io/instance", name);
        labels.put("app.kubernetes.io/component", component);
        labels.put(CLUSTER_LABEL, name);
        return labels;
    }
}
