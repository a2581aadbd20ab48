package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Metadata shared by the namespaced children of a cluster: name, namespace, labels, controller owner reference. */
final class ChildMeta {
    private ChildMeta() {}

    static ObjectMeta of(ClusterModel model, String name, String component) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(model.names().namespace())
                .withLabels(model.names().labels(component))
                .withOwnerReferences(model.owner())
                .build();
    }
}
