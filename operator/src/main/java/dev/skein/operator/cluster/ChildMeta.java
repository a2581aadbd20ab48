package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

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

    /** The {@code data} volume claim template of a StatefulSet. */
    static PersistentVolumeClaim dataClaim(StorageSpec storage) {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("data")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storage.getStorageClass())
                .withNewResources()
                .addToRequests("storage", new Quantity(storage.getSize()))
                .endResources()
                .endSpec()
                .build();
    }
}
