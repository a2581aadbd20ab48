package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.List;

/**
 * The shapes the broker and ZooKeeper children share, so that {@link BrokerResources} and {@link ZooKeeperEnsemble}
 * say only what differs (names, ports, pod template). Every child gets {@link ChildMeta} metadata for its {@code
 * component} and selects that component's pods. Pure: same arguments, equal objects.
 */
final class ChildShapes {
    private ChildShapes() {}

    /** A named Service port; a null {@code targetPort} is left out (Kubernetes then targets {@code port}). */
    static ServicePort port(String name, int port, Integer targetPort) {
        return new ServicePortBuilder()
                .withName(name)
                .withPort(port)
                .withTargetPort(targetPort == null ? null : new IntOrString(targetPort))
                .build();
    }

    /**
     * Headless Service giving each pod of {@code component} a stable DNS name under the StatefulSet. Not-ready pods
     * are published too, so members that are (re)starting can reach each other.
     */
    static Service headlessService(ClusterModel model, String name, String component, ServicePort... ports) {
        return new ServiceBuilder()
                .withMetadata(ChildMeta.of(model, name, component))
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(model.names().selector(component))
                .withPorts(ports)
                .endSpec()
                .build();
    }

    /** ClusterIP Service spreading connections over the ready pods of {@code component}. */
    static Service clusterIpService(ClusterModel model, String name, String component, ServicePort... ports) {
        return new ServiceBuilder()
                .withMetadata(ChildMeta.of(model, name, component))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(model.names().selector(component))
                .withPorts(ports)
                .endSpec()
                .build();
    }

    /** At most one pod of {@code component} voluntarily disrupted (e.g. drained) at a time. */
    static PodDisruptionBudget oneUnavailable(ClusterModel model, String name, String component) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(ChildMeta.of(model, name, component))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(model.names().selector(component))
                .endSelector()
                .endSpec()
                .build();
    }

    /**
     * StatefulSet of {@code replicas} pods of {@code component} under the headless Service {@code serviceName}: pods
     * start in parallel and are replaced one at a time by {@code RollingUpdate}.
     */
    static StatefulSet statefulSet(
            ClusterModel model,
            String name,
            String component,
            int replicas,
            String serviceName,
            PodTemplateSpec template,
            List<PersistentVolumeClaim> claimTemplates) {
        return new StatefulSetBuilder()
                .withMetadata(ChildMeta.of(model, name, component))
                .withNewSpec()
                .withReplicas(replicas)
                .withServiceName(serviceName)
                .withPodManagementPolicy("Parallel")
                .withNewUpdateStrategy()
                .withType("RollingUpdate")
                .endUpdateStrategy()
                .withNewSelector()
                .withMatchLabels(model.names().selector(component))
                .endSelector()
                .withTemplate(template)
                .withVolumeClaimTemplates(claimTemplates)
                .endSpec()
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
