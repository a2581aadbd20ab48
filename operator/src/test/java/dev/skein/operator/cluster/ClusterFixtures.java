package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** SkeinCluster objects for the unit tests, as the API server would hand them over (uid, generation set). */
final class ClusterFixtures {
    private ClusterFixtures() {}

    static SkeinCluster cluster(String name, int replicas, Consumer<SkeinClusterSpec> customize) {
        SkeinCluster cluster = new SkeinCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("kafka")
                .withUid("uid-" + name)
                .withGeneration(4L)
                .build());
        SkeinClusterSpec spec = new SkeinClusterSpec();
        spec.setReplicas(replicas);
        spec.setConfig(new LinkedHashMap<>(Map.of("num.partitions", "3")));
        customize.accept(spec);
        cluster.setSpec(spec);
        return cluster;
    }

    static ClusterModel model(SkeinCluster cluster) {
        ClusterModel.Result result = ClusterModel.from(cluster);
        if (result instanceof ClusterModel.Valid valid) {
            return valid.model();
        }
        throw new AssertionError("fixture spec is invalid: " + result);
    }

    static ClusterModel model(Consumer<SkeinClusterSpec> customize) {
        return model(cluster("events", 3, customize));
    }
}
