package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Desired broker-side children of a cluster. Pure functions of the {@link ClusterModel}: same model, equal objects.
 *
 * <p>Rolling: the StatefulSet uses {@code RollingUpdate}, which replaces one pod at a time, highest ordinal first, and
 * waits for the new pod to be Ready before the next; a change of the rendered config changes the {@code
 * skein.dev/config-hash} pod annotation and so starts such a roll. The PodDisruptionBudget ({@code maxUnavailable:
 * 1}) keeps voluntary evictions (drains) from adding a second missing broker.
 */
public final class BrokerResources {
    /** Label on the rack ClusterRoleBinding naming the SkeinCluster's namespace (it is cluster-scoped). */
    public static final String NAMESPACE_LABEL = "skein.dev/namespace";

    private static final String COMPONENT = "broker";

    private BrokerResources() {}

    /**
     * The broker StatefulSet with {@code replicas} pods (which differs from the spec while a scale-down is refused).
     * {@code claimTemplates}, when not null, replace the ones derived from the spec: the API server forbids changing
     * them on an existing StatefulSet.
     */
    public static StatefulSet statefulSet(
            ClusterModel model, int replicas, String configHash, List<PersistentVolumeClaim> claimTemplates) {
        ClusterNames names = model.names();
        return ChildShapes.statefulSet(
                model,
                names.brokerStatefulSet(),
                COMPONENT,
                replicas,
                names.brokersService(),
                BrokerPodTemplate.desired(model, configHash),
                claimTemplates != null ? claimTemplates : List.of(ChildShapes.dataClaim(model.storage())));
    }

    /** The ConfigMap holding {@code server.properties}. */
    public static ConfigMap configMap(ClusterModel model, BrokerConfigFile file) {
        return new ConfigMapBuilder()
                .withMetadata(ChildMeta.of(model, model.names().configMap(), COMPONENT))
                .withData(Map.of(BrokerConfigFile.FILE_NAME, file.text()))
                .build();
    }

    /**
     * Headless Service {@code <name>-brokers}: DNS names {@code <pod>.<name>-brokers.<ns>.svc} for the advertised
     * listeners. Not-ready pods are published too, so a restarting follower can be reached by its peers.
     */
    public static Service brokersService(ClusterModel model) {
        return ChildShapes.headlessService(
                model,
                model.names().brokersService(),
                COMPONENT,
                ChildShapes.port("kafka", model.plainPort(), model.plainPort()),
                httpPort());
    }

    /** Service {@code <name>-bootstrap}: port {@code kafka} 9092 to any ready broker, {@code http} 8080. */
    public static Service bootstrapService(ClusterModel model) {
        return ChildShapes.clusterIpService(
                model,
                model.names().bootstrapService(),
                COMPONENT,
                ChildShapes.port("kafka", ClusterNames.BOOTSTRAP_PORT, model.plainPort()),
                httpPort());
    }

    private static ServicePort httpPort() {
        return ChildShapes.port("http", ClusterNames.HTTP_PORT, ClusterNames.HTTP_PORT);
    }

    /** At most one broker voluntarily disrupted at a time. */
    public static PodDisruptionBudget disruptionBudget(ClusterModel model) {
        return ChildShapes.oneUnavailable(model, model.names().brokerDisruptionBudget(), COMPONENT);
    }

    /** The brokers' ServiceAccount; its token is only mounted when the rack init container needs it. */
    public static ServiceAccount serviceAccount(ClusterModel model) {
        return new ServiceAccountBuilder()
                .withMetadata(ChildMeta.of(model, model.names().brokerServiceAccount(), COMPONENT))
                .build();
    }

    /**
     * Binds {@value BrokerPodTemplate#RACK_CLUSTER_ROLE} to the brokers' ServiceAccount. Cluster-scoped, so it cannot
     * be owned by the namespaced SkeinCluster: the reconciler's finalizer deletes it.
     */
    public static ClusterRoleBinding rackBinding(ClusterModel model) {
        ClusterNames names = model.names();
        Map<String, String> labels = new LinkedHashMap<>(names.labels(COMPONENT));
        labels.put(NAMESPACE_LABEL, names.namespace());
        return new ClusterRoleBindingBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(names.rackBinding())
                        .withLabels(labels)
                        .build())
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName(BrokerPodTemplate.RACK_CLUSTER_ROLE)
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(names.brokerServiceAccount())
                .withNamespace(names.namespace())
                .endSubject()
                .build();
    }
}
