package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link SkeinClusterSpec} with every default applied and checked: what the builders of the children read. Built by
 * {@link #from}, which either returns a model or the reasons the spec is invalid; pure.
 *
 * @param names names and labels of the children
 * @param owner controller reference to the SkeinCluster, set on every namespaced child
 * @param replicas requested broker count
 * @param image broker image
 * @param plainPort Kafka port inside the broker pods
 * @param storage broker volume (size always set)
 * @param zookeeperConnect external ensemble, or empty when the operator runs one
 * @param zookeeper the ensemble the operator runs (ignored when {@code zookeeperConnect} is present)
 * @param config user broker properties, sorted
 * @param resources broker container resources, or null
 * @param rack rack awareness, or empty
 */
public record ClusterModel(
        ClusterNames names,
        OwnerReference owner,
        int replicas,
        String image,
        int plainPort,
        StorageSpec storage,
        Optional<String> zookeeperConnect,
        Ensemble zookeeper,
        Map<String, String> config,
        ResourceRequirements resources,
        Optional<Rack> rack) {

    /** Broker keys the operator sets itself; a spec may not set them. */
    public static final Set<String> RESERVED_KEYS = Set.of(
            "broker.id",
            "broker.rack",
            "listeners",
            "advertised.listeners",
            "log.dirs",
            "zookeeper.connect",
            "skein.zookeeper.embedded.port");

    static final String DEFAULT_BROKER_STORAGE = "10Gi";
    static final String DEFAULT_ZOOKEEPER_STORAGE = "1Gi";
    static final String DEFAULT_ZOOKEEPER_IMAGE = "docker.io/library/zookeeper:3.9";

    /**
     * The ZooKeeper ensemble run by the operator.
     *
     * @param replicas servers
     * @param image ZooKeeper image
     * @param storage volume of each server
     */
    public record Ensemble(int replicas, String image, StorageSpec storage) {}

    /**
     * Rack awareness.
     *
     * @param topologyKey node label read into broker.rack and spread over
     * @param initImage image of the init container reading it
     */
    public record Rack(String topologyKey, String initImage) {}

    /** Either a model or the problems found in the spec. */
    public sealed interface Result {}

    /** A valid spec. */
    public record Valid(ClusterModel model) implements Result {}

    /** An invalid spec; {@code problems} name the fields. */
    public record Invalid(List<String> problems) implements Result {}

    /** Checks {@code cluster}'s spec and applies defaults. */
    public static Result from(SkeinCluster cluster) {
        SkeinClusterSpec spec = cluster.getSpec();
        List<String> problems = new ArrayList<>();
        if (spec == null) {
            return new Invalid(List.of("spec is missing"));
        }
        if (spec.getReplicas() < 1) {
            problems.add("spec.replicas must be at least 1, got " + spec.getReplicas());
        }
        Map<String, String> config = new TreeMap<>(spec.getConfig());
        List<String> reserved = config.keySet().stream()
                .filter(RESERVED_KEYS::contains)
                .sorted()
                .toList();
        if (!reserved.isEmpty()) {
            problems.add("spec.config may not set " + reserved + ": the operator sets them for each broker");
        }
        ZooKeeperSpec zk = spec.getZookeeper() == null ? new ZooKeeperSpec() : spec.getZookeeper();
        Optional<String> connect = Optional.ofNullable(zk.getConnect()).filter(s -> !s.isBlank());
        if (connect.isPresent() && zk.getReplicas() != null) {
            problems.add("spec.zookeeper: set either connect (external ensemble) or replicas, not both");
        }
        int zkReplicas = zk.getReplicas() == null ? 1 : zk.getReplicas();
        if (zkReplicas < 1) {
            problems.add("spec.zookeeper.replicas must be at least 1, got " + zkReplicas);
        }
        int port = spec.getListeners() == null || spec.getListeners().getPlainPort() == null
                ? ListenersSpec.DEFAULT_PLAIN_PORT
                : spec.getListeners().getPlainPort();
        if (port == ClusterNames.HTTP_PORT || port < 1 || port > 65535) {
            problems.add(
                    "spec.listeners.plainPort must be a port other than " + ClusterNames.HTTP_PORT + ", got " + port);
        }
        Optional<Rack> rack = Optional.empty();
        if (spec.getRack() != null) {
            String key = spec.getRack().getTopologyKey();
            if (key == null || key.isBlank()) {
                problems.add("spec.rack.topologyKey is required when spec.rack is set");
            } else {
                rack = Optional.of(
                        new Rack(key, orDefault(spec.getRack().getInitImage(), RackSpec.DEFAULT_INIT_IMAGE)));
            }
        }
        if (!problems.isEmpty()) {
            return new Invalid(List.copyOf(problems));
        }
        String image = spec.getImage() != null && !spec.getImage().isBlank()
                ? spec.getImage()
                : "ghcr.io/skein-dev/skein:" + orDefault(spec.getVersion(), SkeinClusterSpec.DEFAULT_VERSION);
        return new Valid(new ClusterModel(
                ClusterNames.of(cluster),
                new OwnerReferenceBuilder()
                        .withApiVersion(cluster.getApiVersion())
                        .withKind(cluster.getKind())
                        .withName(cluster.getMetadata().getName())
                        .withUid(cluster.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .build(),
                spec.getReplicas(),
                image,
                port,
                withDefaultSize(spec.getStorage(), DEFAULT_BROKER_STORAGE),
                connect,
                new Ensemble(
                        zkReplicas,
                        orDefault(zk.getImage(), DEFAULT_ZOOKEEPER_IMAGE),
                        withDefaultSize(zk.getStorage(), DEFAULT_ZOOKEEPER_STORAGE)),
                Collections.unmodifiableMap(config),
                spec.getResources(),
                rack));
    }

    /** True when the operator runs the ZooKeeper ensemble. */
    public boolean runsZookeeper() {
        return zookeeperConnect.isEmpty();
    }

    /** The connect string the brokers use. */
    public String effectiveZookeeperConnect() {
        return zookeeperConnect.orElse(names.zookeeperClientService() + "." + names.namespace() + ".svc:2181");
    }

    private static StorageSpec withDefaultSize(StorageSpec storage, String defaultSize) {
        if (storage == null) {
            return new StorageSpec(defaultSize, null);
        }
        return new StorageSpec(orDefault(storage.getSize(), defaultSize), storage.getStorageClass());
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
