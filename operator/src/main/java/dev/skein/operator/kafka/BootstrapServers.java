package dev.skein.operator.kafka;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the bootstrap address of the Skein cluster a resource belongs to: the operator-wide override when configured,
 * otherwise the cluster's bootstrap Service, {@code <cluster>-bootstrap.<namespace>.svc:9092}, where the cluster is
 * named by the resource's {@value #CLUSTER_LABEL} label. Pure.
 */
public final class BootstrapServers {
    /** The label that names the SkeinCluster a resource belongs to. */
    public static final String CLUSTER_LABEL = "skein.dev/cluster";
    /** The port of the cluster bootstrap Service (port name {@code kafka}). */
    public static final int BOOTSTRAP_PORT = 9092;

    private BootstrapServers() {}

    /** The bootstrap Service address of cluster {@code cluster} in {@code namespace}. */
    public static String ofCluster(String cluster, String namespace) {
        return cluster + "-bootstrap." + namespace + ".svc:" + BOOTSTRAP_PORT;
    }

    /** The bootstrap address for the resource, or empty when there is no override and no cluster label. */
    public static Optional<String> resolve(Optional<String> override, HasMetadata resource) {
        if (override.isPresent() && !override.get().isBlank()) {
            return override;
        }
        Map<String, String> labels = resource.getMetadata().getLabels();
        String cluster = labels == null ? null : labels.get(CLUSTER_LABEL);
        if (cluster == null || cluster.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(ofCluster(cluster, resource.getMetadata().getNamespace()));
    }
}
